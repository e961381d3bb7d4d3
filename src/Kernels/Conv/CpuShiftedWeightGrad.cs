using System.Buffers;
using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// conv2d backward-weights without a patch matrix: a few images' inputs are stacked in the
/// zero-bordered layout of the shifted forward (<see cref="ShiftedLayout"/>, stride phases for a
/// strided conv) and their
/// output gradients laid on the same "wide" positions (zeros at the junk columns and rows), so
/// dW[co, (c, r, t)] = Σ_q dy[co, q] · x[q + c·plane + r·rowStride + t] — every tap a shifted run
/// of the stacked input, read in place by Avx512WeightGradKernel. Why: the im2col GEMM wrote and
/// packed a patch matrix nine times the input per image, so a 16-channel weight gradient ran at a
/// third of the forward's speed; here the input is copied once and each tap is an offset.
/// Determinism: the batch is cut into a fixed number of lanes (never the thread count), each lane
/// sums its groups and position blocks in order into its own partial, and the partials are added
/// in lane order, so dW depends on the inputs alone.
/// </summary>
internal static unsafe class CpuShiftedWeightGrad
{
    private const int MR = Avx512WeightGradKernel.MR, NR = Avx512WeightGradKernel.NR, Step = Avx512WeightGradKernel.Step;

    // Partial sums, independent of the team size so the result is too; four keep a team of two busy.
    private const int Lanes = 4;

    // Positions per block: a block's gradient rows and input planes stay in L2 while every tile reads them.
    private const int BlockPositions = 1024;

    // Stacked input per group: enough images that junk positions and block tails stay small.
    private const long GroupBytes = 1 << 20;

    /// <summary>AVX-512 and the shifted layout's conditions (stride 1 with borders within the kernel's reach, or a stride within it).</summary>
    public static bool Fits(in Conv2dShape s) => Avx512WeightGradKernel.IsSupported && CpuShiftedConv.Fits(s);

    /// <summary>
    /// Whether this path beats the patch-matrix GEMM (CpuConvWeightGrad): it computes every junk
    /// position, so small images lose (a 4×4 image has 25 wide positions for 16 real ones), and a
    /// weight gradient large enough for the GEMM's one-lane form (<see cref="CpuConvWeightGrad.Deep"/>)
    /// loses to that GEMM run by the whole team. Single weight gradients at batch 32 on a Zen 4:
    /// shifted 10.8 ms against 13.9 for the GEMM at 64 @28×28, 12.2 against 13.8 at 128 @14×14, 1.01
    /// against 1.22 at 64 @7×7, 6.3 against 7.0 for 64 → 128 at stride 2; the one-lane GEMM 12.5
    /// against 16.3 at 256 @7×7, 5.5 against 7.6 for 128 → 256 at stride 2, and at 512 @4×4.
    /// </summary>
    public static bool Prefers(in Conv2dShape s)
    {
        if (!Fits(s) || CpuConvWeightGrad.Deep(s)) return false;
        var layout = new ShiftedLayout(s, s.Cin, 1);
        double junk = (double)layout.ImageRows * layout.RowStride / (s.OutH * s.OutW);
        return junk <= 1.35;
    }

    /// <summary>dw[Cout, Cin·KH·KW] = Σ_n dy_n ⋆ x_n (written, not accumulated).</summary>
    public static void Run(Conv2dShape s, float[] x, float[] dy, float[] dw)
    {
        int lanes = Math.Min(Lanes, s.N), k = s.PatchSize;
        int rows = RoundUp(s.Cout, MR), taps = RoundUp(k, NR), tile = rows * taps;
        long imageBytes = ShiftedLayout.ImageFloats(s, s.Cin) * sizeof(float);
        int group = (int)Math.Clamp(GroupBytes / Math.Max(1, imageBytes), 1, (s.N + lanes - 1) / lanes);
        var layout = new ShiftedLayout(s, s.Cin, group);
        float[] partials = ArrayPool<float>.Shared.Rent(lanes * tile);
        int[] offsets = ArrayPool<int>.Shared.Rent(taps);
        try
        {
            // Padding taps read offset 0 (a valid float) and their columns are dropped.
            Array.Clear(offsets, 0, taps);
            layout.Offsets(s, offsets);
            CpuConv.ForEachImage(lanes, lane =>
            {
                int first = (int)((long)s.N * lane / lanes), end = (int)((long)s.N * (lane + 1) / lanes);
                SumLane(s, layout, x, dy, first, end, offsets, partials.AsSpan(lane * tile, tile), rows, taps);
            });
            for (int co = 0; co < s.Cout; co++)
            {
                var total = dw.AsSpan(co * k, k);
                partials.AsSpan(co * taps, k).CopyTo(total);
                for (int lane = 1; lane < lanes; lane++)
                    System.Numerics.Tensors.TensorPrimitives.Add(total, partials.AsSpan(lane * tile + co * taps, k), total);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partials);
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    /// <summary>sum[rows × taps] = Σ over images [first, end), a group at a time, positions in blocks, all in order.</summary>
    private static void SumLane(in Conv2dShape s, in ShiftedLayout layout, float[] x, float[] dy, int first, int end,
                                int[] offsets, Span<float> sum, int rows, int taps)
    {
        int ldd = RoundUp(layout.PositionsFor(layout.Images), Step);
        float* stacked = AlignedScratch.Get(AlignedScratch.Slot.ConvImage, layout.Floats);
        float* wide = AlignedScratch.Get(AlignedScratch.Slot.ConvTile, (long)rows * ldd);
        // Borders, junk columns and rows, and the padding rows are zeroed once: groups only write real positions.
        new Span<float>(stacked, checked((int)layout.Floats)).Clear();
        new Span<float>(wide, checked(rows * ldd)).Clear();
        sum.Clear();
        int outPlane = s.OutH * s.OutW, dyImage = s.Cout * outPlane;
        fixed (float* xp = x, dp = dy, cp = sum)
        fixed (int* op = offsets)
            for (int n0 = first; n0 < end; n0 += layout.Images)
            {
                int images = Math.Min(layout.Images, end - n0);
                layout.Stack(s, xp, n0, images, null, stacked);
                for (int co = 0; co < s.Cout; co++)
                    for (int g = 0; g < images; g++)
                    {
                        float* src = dp + (long)(n0 + g) * dyImage + (long)co * outPlane;
                        float* dst = wide + (long)co * ldd + g * layout.ImageRows * layout.RowStride;
                        for (int oh = 0; oh < s.OutH; oh++)
                            ShortCopy.Floats(src + oh * s.OutW, dst + oh * layout.RowStride, s.OutW);
                    }
                int positions = layout.PositionsFor(images), padded = RoundUp(positions, Step);
                // A short last group's tail would read the previous group's gradients: zero it.
                for (int co = 0; co < s.Cout; co++) new Span<float>(wide + (long)co * ldd + positions, padded - positions).Clear();
                for (int q0 = 0; q0 < padded; q0 += BlockPositions)
                {
                    int steps = Math.Min(BlockPositions, padded - q0) / Step;
                    for (int i0 = 0; i0 < rows; i0 += MR)
                        for (int j0 = 0; j0 < taps; j0 += NR)
                            Avx512WeightGradKernel.Run(steps, wide + (long)i0 * ldd + q0, ldd, stacked + q0, op + j0, cp + i0 * taps + j0, taps);
                }
            }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
