using SparseCore.Kernels.Cpu;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests;

/// <summary>
/// The flatness check of a training loop: after <paramref name="warmUp"/> steps, <paramref name="measured"/>
/// more leave the backend's live buffers and raw allocations, the tape and the managed heap where they were.
/// </summary>
/// <remarks>
/// The managed heap is the process's, which the test host shares: run alone, the stage-1 search test
/// saw it grow by 270–290 KB over its window on some runs while the same steps in a bare program
/// stayed within ±8 KB over 120. So a window that grew past the bound is followed by a second one,
/// and the loop fails only if that one grows too — a leak grows in every window, the host's
/// one-time allocations do not.
/// </remarks>
internal static class MemoryFlatness
{
    private const long HeapBound = 256 * 1024;

    public static void Check(CpuBackend backend, Action step, int warmUp, int measured)
    {
        for (int i = 0; i < warmUp; i++) step();
        var pool = backend.Pool;
        long heap = Heap();
        (int live, long bytes, long raw) before = (pool.LiveBuffers, pool.LiveBytes, pool.RawAllocations);
        for (int i = 0; i < measured; i++) step();
        long grew = Heap() - heap;
        if (grew >= HeapBound)
        {
            heap += grew;
            for (int i = 0; i < measured; i++) step();
            long again = Heap() - heap;
            Assert.True(again < HeapBound, $"managed heap grew by {grew} bytes over {measured} steps, then by {again} over {measured} more");
        }

        Assert.Equal(before.live, pool.LiveBuffers);
        Assert.Equal(before.bytes, pool.LiveBytes);
        Assert.Equal(before.raw, pool.RawAllocations);
        Assert.Equal(0, Autograd.TapeLength);
    }

    private static long Heap()
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        return GC.GetTotalMemory(true);
    }
}
