/*
 * hsdis on Capstone: the disassembler plugin HotSpot loads for -XX:+PrintAssembly and
 * -XX:CompileCommand=print, so that a kernel's machine code can be read (which loads split, what C2 spilled,
 * how many bounds checks a loop kept). The JDK does not ship one. Build: bench/hsdis/build.sh.
 *
 * The interface is HotSpot's: decode_instructions_virtual(start, end, buffer, length, event callback, its
 * stream, printf callback, its stream, options, newline). For each instruction HotSpot wants an "insn" event
 * at its address, the text through the printf callback, and a "/insn" event at the next address; between
 * them it prints its own annotations (blocks, oops, source lines). Bytes Capstone cannot decode are printed
 * as .byte and skipped one at a time.
 */
#include <capstone/capstone.h>
#include <stdint.h>

typedef void *(*event_cb)(void *stream, const char *event, void *arg);
typedef int (*printf_cb)(void *stream, const char *format, ...);

#if defined(__aarch64__)
#define HSDIS_ARCH CS_ARCH_ARM64
#define HSDIS_MODE CS_MODE_ARM
#else
#define HSDIS_ARCH CS_ARCH_X86
#define HSDIS_MODE CS_MODE_64
#endif

static void emit(event_cb event, void *event_stream, const char *what, uint64_t at) {
    if (event != 0) {
        event(event_stream, what, (void *) (uintptr_t) at);
    }
}

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
                                  event_cb event, void *event_stream, printf_cb printf_fn, void *printf_stream,
                                  const char *options, int newline) {
    (void) end_va;
    (void) options;
    csh handle;
    if (cs_open(HSDIS_ARCH, HSDIS_MODE, &handle) != CS_ERR_OK) {
        return 0;
    }
    cs_insn *insn = cs_malloc(handle);
    const uint8_t *code = buffer;
    size_t left = length;
    uint64_t address = start_va;
    while (left > 0) {
        uint64_t at = address;
        emit(event, event_stream, "insn", at);
        if (cs_disasm_iter(handle, &code, &left, &address, insn)) {
            printf_fn(printf_stream, "%-10s %s", insn->mnemonic, insn->op_str);
        } else {
            printf_fn(printf_stream, ".byte      0x%02x", *code);
            code++;
            left--;
            address = at + 1;
        }
        emit(event, event_stream, "/insn", address);
        if (newline) {
            printf_fn(printf_stream, "\n");
        }
    }
    cs_free(insn, 1);
    cs_close(&handle);
    return (void *) (uintptr_t) address;
}
