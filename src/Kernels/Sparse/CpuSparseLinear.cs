using System.Buffers;
using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Sparse;

/// <summary>
/// The sparse-weight linear forward on the CPU. A batch of at least <see cref="MinTiledBatch"/>
/// rows is cut into blocks of 64, each transposed once into [In, 64] so that one input feature
/// across the block is a contiguous run: an output feature is then its nonzeros' runs
/// multiply-added (<see cref="SparseRowTile"/>), 64 batch rows per vectorised pass, written back
/// down the output's column. A smaller batch would leave most of those lanes idle, so it reads x
/// in place, one scalar sum per output. Both add the same terms in the same order with the same
/// fused multiply-add, so the path taken does not change a bit of the result.
/// </summary>
internal static class CpuSparseLinear
{
    /// <summary>Batches below this sum each output directly: a tile would be mostly padding.</summary>
    public const int MinTiledBatch = 8;

    /// <summary>Multiply-adds a chunk of output features should hold at least (the direct path's split).</summary>
    private const long ChunkWork = 1 << 16;

    /// <summary>y[n, o] = Σ over row o's nonzeros (c, v) of v·x[n, c] (+ bias[o]).</summary>
    public static void Forward(float[] x, int[] rowStarts, int[] taps, float[] values, float[]? bias, float[] y, int batch, int inFeatures, int outFeatures)
    {
        int nonzeros = rowStarts[outFeatures];
        bool tiled = batch >= MinTiledBatch;
        int lane = tiled ? SparseRowTile.Width : 1;
        int[] offsets = ArrayPool<int>.Shared.Rent(Math.Max(1, nonzeros));
        try
        {
            for (int e = 0; e < nonzeros; e++) offsets[e] = SparseTap.Channel(taps[e]) * lane;
            long rowWork = (long)Math.Max(1, nonzeros / outFeatures) * (tiled ? SparseRowTile.Width : batch);
            if (tiled) Tiled(x, rowStarts, offsets, values, bias, y, batch, inFeatures, outFeatures, rowWork);
            else CpuParallel.For(outFeatures, (int)Math.Clamp(ChunkWork / rowWork, 1, outFeatures), (first, end) =>
            {
                for (int o = first; o < end; o++)
                    for (int n = 0; n < batch; n++)
                    {
                        float acc = 0f;
                        for (int e = rowStarts[o], xRow = n * inFeatures; e < rowStarts[o + 1]; e++)
                            acc = MathF.FusedMultiplyAdd(values[e], x[xRow + offsets[e]], acc);
                        y[n * outFeatures + o] = bias is null ? acc : acc + bias[o];
                    }
            });
        }
        finally
        {
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    private static void Tiled(float[] x, int[] rowStarts, int[] offsets, float[] values, float[]? bias, float[] y,
                              int batch, int inFeatures, int outFeatures, long rowWork)
    {
        const int width = SparseRowTile.Width;
        int blocks = (batch + width - 1) / width;
        // A short last block's idle lanes hold the clear's zeros or an earlier block's inputs: finite either way, and dropped.
        CpuSparseSchedule.Run(blocks, outFeatures, rowWork, checked(inFeatures * width),
            (block, input) =>
            {
                int n0 = block * width, rows = Math.Min(width, batch - n0);
                for (int j = 0; j < rows; j++)
                {
                    var xRow = x.AsSpan((n0 + j) * inFeatures, inFeatures);
                    for (int c = 0; c < inFeatures; c++) input[c * width + j] = xRow[c];
                }
            },
            (block, first, end, input) =>
            {
                int n0 = block * width, rows = Math.Min(width, batch - n0);
                var tile = CpuSparseSchedule.RowScratch(width);
                for (int o = first; o < end; o++)
                {
                    int start = rowStarts[o], count = rowStarts[o + 1] - start;
                    SparseRowTile.Run(values.AsSpan(start, count), offsets.AsSpan(start, count), input, 0, tile);
                    float b = bias?[o] ?? 0f;
                    for (int j = 0; j < rows; j++)
                        y[(n0 + j) * outFeatures + o] = bias is null ? tile[j] : tile[j] + b;
                }
            });
    }
}
