using SparseCore.Kernels.Cpu;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests;

/// <summary>
/// The flatness check of a training loop: after <paramref name="warmUp"/> steps, <paramref name="measured"/>
/// more leave the backend's live buffers and raw allocations, the tape and the managed heap where they were.
/// </summary>
internal static class MemoryFlatness
{
    public static void Check(CpuBackend backend, Action step, int warmUp, int measured)
    {
        for (int i = 0; i < warmUp; i++) step();
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var pool = backend.Pool;
        (int live, long bytes, long raw, long heap) before = (pool.LiveBuffers, pool.LiveBytes, pool.RawAllocations, GC.GetTotalMemory(true));
        for (int i = 0; i < measured; i++) step();
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long heapAfter = GC.GetTotalMemory(true);

        Assert.Equal(before.live, pool.LiveBuffers);
        Assert.Equal(before.bytes, pool.LiveBytes);
        Assert.Equal(before.raw, pool.RawAllocations);
        Assert.Equal(0, Autograd.TapeLength);
        Assert.True(heapAfter - before.heap < 256 * 1024, $"managed heap grew by {heapAfter - before.heap} bytes over {measured} steps");
    }
}
