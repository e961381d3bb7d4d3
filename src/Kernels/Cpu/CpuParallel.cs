namespace SparseCore.Kernels.Cpu;

/// <summary>
/// Fixed partitioning of [0, count) into chunks that depend only on count and grain, never on
/// thread timing; every CPU kernel writes disjoint outputs per chunk, so results are deterministic.
/// </summary>
internal static class CpuParallel
{
    public static void For(int count, int grain, Action<int, int> body)
    {
        if (count <= 0) return;
        int chunks = Math.Min(Environment.ProcessorCount * 4, (count + grain - 1) / grain);
        if (chunks <= 1)
        {
            body(0, count);
            return;
        }
        int per = (count + chunks - 1) / chunks;
        Parallel.For(0, chunks, c =>
        {
            int start = c * per;
            int end = Math.Min(count, start + per);
            if (start < end) body(start, end);
        });
    }
}
