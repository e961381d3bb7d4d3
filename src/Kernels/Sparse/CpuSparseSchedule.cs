using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Sparse;

/// <summary>
/// How the CPU's sparse forwards share the work. A unit (an image of a conv, a block of a linear's
/// batch) is first prepared into an input buffer, then every weight row is computed from it. With
/// at least one unit per team thread, each thread takes a contiguous range of units into its own
/// buffer; with fewer (single-image inference), the units run in order, each prepared once and its
/// rows split over the threads in fixed ranges. Every output is written by one row computation
/// whose arithmetic does not depend on the split, so both give the same bits.
/// </summary>
internal static class CpuSparseSchedule
{
    /// <summary>Multiply-adds a chunk of rows should hold at least, so a split pays for its hand-off.</summary>
    private const long RowChunkWork = 1 << 16;

    [ThreadStatic] private static float[]? t_input;
    [ThreadStatic] private static float[]? t_rows;

    /// <summary>
    /// prepare(unit, input), then compute(unit, firstRow, endRow, input) over all rows, for every
    /// unit. The input buffer holds at least <paramref name="inputFloats"/> floats, zeroed before a
    /// thread's first unit (prepare overwrites only what changes between units); rowWork is one
    /// row's multiply-adds, to size the row chunks.
    /// </summary>
    public static void Run(int units, int rows, long rowWork, int inputFloats, Action<int, float[]> prepare, Action<int, int, int, float[]> compute)
    {
        var team = WorkerTeam.Shared;
        if (team.Size > 1 && units >= team.Size)
        {
            int threads = team.Size;
            CpuConv.ForEachImage(threads, thread =>
            {
                float[] input = ZeroedInput(inputFloats);
                int first = (int)((long)units * thread / threads), end = (int)((long)units * (thread + 1) / threads);
                for (int u = first; u < end; u++)
                {
                    prepare(u, input);
                    compute(u, 0, rows, input);
                }
            });
            return;
        }
        float[] shared = ZeroedInput(inputFloats);
        int grain = (int)Math.Clamp(RowChunkWork / Math.Max(1, rowWork), 1, rows);
        for (int u = 0; u < units; u++)
        {
            prepare(u, shared);
            int unit = u;
            CpuParallel.For(rows, grain, (r0, r1) => compute(unit, r0, r1, shared));
        }
    }

    /// <summary>This thread's row scratch of at least <paramref name="floats"/> (contents undefined).</summary>
    public static Span<float> RowScratch(int floats) => Grow(ref t_rows, floats).AsSpan(0, floats);

    private static float[] ZeroedInput(int floats)
    {
        float[] input = Grow(ref t_input, floats);
        Array.Clear(input, 0, floats);
        return input;
    }

    private static float[] Grow(ref float[]? buffer, int floats)
    {
        if (buffer is null || buffer.Length < floats)
        {
            buffer = null; // let the old one go before allocating the new one
            buffer = GC.AllocateUninitializedArray<float>(floats);
        }
        return buffer;
    }
}
