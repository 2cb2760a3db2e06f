package dev.mtdtl.tensor;

/**
 * Memory of a non-CPU {@link Device} behind a {@link Tensor} or {@link Indices}: a handle that only the
 * device that made it can read (cuda-kernels' DeviceBuffer implements it). The tensor module never
 * looks inside; it only needs the size to check shapes and views.
 */
public interface DeviceMemory {

    /** Number of 4-byte elements (floats or ints) this handle covers. */
    long elements();

    /** The same memory from element {@code offset}, {@code elements} long (no copy). */
    DeviceMemory slice(long offset, long elements);
}
