package dev.mtdtl.tensor;

/**
 * A device could not allocate a tensor even after giving back its cached memory. The message names what was
 * being allocated, the memory it needed and what was in use; callers that know more (the trainer knows the
 * batch size) rethrow it with that added.
 */
public final class DeviceOutOfMemoryException extends RuntimeException {

    public DeviceOutOfMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
