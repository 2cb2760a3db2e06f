/*
 * hsdis on GNU libopcodes: the disassembler plugin HotSpot loads for -XX:+PrintAssembly and
 * -XX:CompileCommand=print, so that a kernel's machine code can be read (which loads split, what C2 spilled,
 * how many bounds checks a loop kept). The JDK does not ship one. Build: bench/hsdis/build.sh (binutils 2.39
 * or later; Debian/Ubuntu: apt-get install binutils-dev). libopcodes decodes every AVX-512 form C2 emits;
 * Capstone 4, tried first, lost sync on EVEX broadcasts.
 *
 * The interface is HotSpot's: decode_instructions_virtual(start, end, buffer, length, event callback, its
 * stream, printf callback, its stream, options, newline). For each instruction HotSpot wants an "insn" event
 * at its address, the text through the printf callback, and a "/insn" event at the next address; between
 * them it prints its own annotations (blocks, oops, source lines).
 */
#include <dis-asm.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void *(*event_cb)(void *stream, const char *event, void *arg);
typedef int (*printf_cb)(void *stream, const char *format, ...);

/* Where libopcodes' text goes: HotSpot's printf callback and stream. */
struct sink {
    printf_cb printf_fn;
    void *stream;
};

static int sink_vprintf(struct sink *s, const char *format, va_list ap) {
    char text[512];
    int n = vsnprintf(text, sizeof text, format, ap);
    s->printf_fn(s->stream, "%s", text);
    return n;
}

static int sink_printf(void *stream, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = sink_vprintf((struct sink *) stream, format, ap);
    va_end(ap);
    return n;
}

static int sink_printf_styled(void *stream, enum disassembler_style style, const char *format, ...) {
    (void) style;
    va_list ap;
    va_start(ap, format);
    int n = sink_vprintf((struct sink *) stream, format, ap);
    va_end(ap);
    return n;
}

/* Branch targets print as bare addresses; HotSpot adds its own labels. */
static void print_address(bfd_vma address, struct disassemble_info *info) {
    info->fprintf_func(info->stream, "0x%" PRIx64, (uint64_t) address);
}

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
                                  event_cb event, void *event_stream, printf_cb printf_fn, void *printf_stream,
                                  const char *options, int newline) {
    (void) end_va;
    (void) options;
    struct sink out = {printf_fn, printf_stream};
    struct disassemble_info info;
    init_disassemble_info(&info, &out, sink_printf, sink_printf_styled);
#if defined(__aarch64__)
    info.arch = bfd_arch_aarch64;
    info.mach = bfd_mach_aarch64;
#else
    info.arch = bfd_arch_i386;
    info.mach = bfd_mach_x86_64;
    info.disassembler_options = "intel-mnemonic,intel";
#endif
    info.buffer = buffer;
    info.buffer_vma = start_va;
    info.buffer_length = length;
    info.read_memory_func = buffer_read_memory;
    info.print_address_func = print_address;
    disassemble_init_for_target(&info);
    disassembler_ftype decode = disassembler(info.arch, 0, info.mach, NULL);
    if (decode == NULL) {
        return NULL;
    }
    uintptr_t pc = start_va;
    while (pc < start_va + length) {
        if (event != NULL) {
            event(event_stream, "insn", (void *) pc);
        }
        int size = decode(pc, &info);
        pc += size > 0 ? (uintptr_t) size : 1;
        if (event != NULL) {
            event(event_stream, "/insn", (void *) pc);
        }
        if (newline) {
            printf_fn(printf_stream, "\n");
        }
    }
    return (void *) pc;
}
