using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// Two shifted convs in a row (a basic block's conv1 → ReLU → conv2 at inference), a group of images
/// at a time: the first conv's tiles go, with their bias and ReLU, straight into the second conv's
/// stacked buffer instead of out to NCHW and back. Why that works: where the first conv's wide
/// outputs have the second's stacked geometry (<see cref="Fits"/>), its wide output position q is
/// exactly the second conv's stacked-buffer cell q + PadH·RowStride + PadW — real positions land on
/// image pixels, junk positions on the zero borders, which are written as zeros. Why it pays: the
/// intermediate's trip out (a compress and masked store per vector) and back in (a copy per row) is
/// a fifth of a thin conv's time; here a tile row is a select and four masked stores.
/// Bit-identical to the two convs run alone: the same tile + bias, the same max(·, 0), the same
/// second conv over the same values.
/// </summary>
internal static unsafe class CpuShiftedPair
{
    private const int MR = Avx512ShiftedKernel.MR, NR = Avx512ShiftedKernel.NR, Lanes = 16;

    /// <summary>
    /// Whether the pair can run fused: both on the shifted path, the second at stride 1, and the
    /// first conv's wide output positions laid out as the second conv's stacked buffer is — the same
    /// floats a row and rows an image (a 3×3 pad-1 conv at stride 1 or 2 before a 3×3 pad-1 one:
    /// 28 px → 29 and 29, 28 → 14 px by phases of 15 → 15 and 15) — with an image per thread at least.
    /// </summary>
    public static bool Fits(in Conv2dShape first, in Conv2dShape second)
    {
        if (!CpuShiftedConv.Fits(first) || !CpuShiftedConv.Fits(second) || second.StrideH != 1 || second.StrideW != 1
            || first.N < WorkerTeam.Shared.Size)
            return false;
        var one = new ShiftedLayout(first, first.Cin, 1);
        var two = new ShiftedLayout(second, second.Cin, 1);
        return one.RowStride == two.RowStride && one.ImageRows == two.ImageRows;
    }

    /// <summary>
    /// y = epilogue(conv(relu(conv(x, w1) + b1), w2) + b2), the weights packed as the shifted conv
    /// packs them (<paramref name="panels1"/>, <paramref name="panels2"/>), every channel kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(Conv2dShape s1, Conv2dShape s2, float[] x, float[] packed1, RowPanels panels1, float[]? bias1,
                               float[] packed2, RowPanels panels2, float[]? bias2, float[] y, CpuEpilogue epilogue)
    {
        int mid = s1.Cout, m2 = s2.Cout, k1 = s1.Cin * s1.KH * s1.KW, k2 = mid * s2.KH * s2.KW;
        int groupSize = CpuShiftedConv.FitTiles(s1, Math.Min(CpuShiftedConv.ImagesInBytes(s1, s1.Cin), CpuShiftedConv.ImagesInBytes(s2, mid)));
        var layout1 = new ShiftedLayout(s1, s1.Cin, groupSize);
        var layout2 = new ShiftedLayout(s2, mid, groupSize);
        int shift = s2.PadH * layout2.RowStride + s2.PadW, tileFloats = Math.Max(panels1.Count, panels2.Count) * MR * NR;
        // real[q] = −1 where the first conv's wide position q (of a full group, and a tile past it) is a
        // real output, else 0: the tables of a scatter of the first conv's outputs (kept, so usually the
        // second conv's own, whose outputs have the same geometry).
        var firstOutputs = ShiftedScatter.For(s1, layout1);
        int* real = firstOutputs.Real;
        int* offsets1 = (int*)NativeMemory.Alloc((nuint)k1, sizeof(int));
        int* offsets2 = (int*)NativeMemory.Alloc((nuint)k2, sizeof(int));
        // As the conv alone does with its ReLU: a missing bias is added as zeros (−0 becomes +0).
        float[] add1 = bias1 ?? new float[mid];
        var scatter = ShiftedScatter.For(s2, layout2);
        try
        {
            layout1.Offsets(s1, new Span<int>(offsets1, k1));
            layout2.Offsets(s2, new Span<int>(offsets2, k2));
            var groups = new StealingRanges((s1.N + groupSize - 1) / groupSize, WorkerTeam.Shared.Size);
            nint realAt = (nint)real, o1 = (nint)offsets1, o2 = (nint)offsets2;
            CpuConv.ForEachImage(WorkerTeam.Shared.Size, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (thread) =>
            {
                float* stacked1 = AlignedScratch.Get(AlignedScratch.Slot.ConvImage, layout1.Floats);
                float* stacked2 = AlignedScratch.Get(AlignedScratch.Slot.ConvPairImage, layout2.Floats);
                float* tile = AlignedScratch.Get(AlignedScratch.Slot.ConvTile, tileFloats);
                // Borders are zeroed once per call: groups only write image pixels (the second buffer: zeros at junk positions).
                new Span<float>(stacked1, checked((int)layout1.Floats)).Clear();
                new Span<float>(stacked2, checked((int)layout2.Floats)).Clear();
                fixed (float* xp = x, yp = y, a1 = packed1, a2 = packed2, b1 = add1)
                    while (groups.TryTake(thread, out int g))
                    {
                        int n0 = g * groupSize, images = Math.Min(groupSize, s1.N - n0), positions = layout1.PositionsFor(images);
                        layout1.Stack(s1, xp, n0, images, null, stacked1);
                        for (int j0 = 0; j0 < positions; j0 += NR)
                        {
                            for (int ip = 0; ip < panels1.Count; ip++)
                                Avx512ShiftedKernel.Run(panels1.Rows(ip), k1, a1 + (long)ip * MR * k1, stacked1 + j0, (int*)o1, tile + panels1.First(ip) * NR, NR);
                            Hand(tile, j0, Math.Min(NR, positions - j0), mid, b1, (int*)realAt, stacked2 + shift, layout2.Plane);
                        }
                        for (int j0 = 0; j0 < positions; j0 += NR)
                        {
                            for (int ip = 0; ip < panels2.Count; ip++)
                                Avx512ShiftedKernel.Run(panels2.Rows(ip), k2, a2 + (long)ip * MR * k2, stacked2 + j0, (int*)o2, tile + panels2.First(ip) * NR, NR);
                            scatter.Write(tile, j0, Math.Min(NR, positions - j0), yp, n0, m2, bias2, epilogue);
                        }
                    }
            });
        }
        finally
        {
            GC.KeepAlive(firstOutputs);   // its pinned tables are read by pointer until here
            NativeMemory.Free(offsets1);
            NativeMemory.Free(offsets2);
        }
    }

    /// <summary>
    /// The first conv's tile (rows = intermediate channels, NR floats apart) to the second conv's
    /// stacked buffer: max(tile + bias, 0) at real positions, 0 at junk ones (the borders), only the
    /// group's cols positions from j0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Hand(float* tile, int j0, int cols, int rows, float* bias, int* real, float* target, int plane)
    {
        var lane = Vector512<int>.Indices;
        for (int v = 0; v * Lanes < cols; v++)
        {
            int q = j0 + v * Lanes;
            var keep = (Vector512.Load(real + q) & Vector512.LessThan(lane, Vector512.Create(cols - v * Lanes))).AsSingle();
            var inGroup = Vector512.LessThan(lane, Vector512.Create(cols - v * Lanes)).AsSingle();
            float* from = tile + v * Lanes, to = target + q;
            for (int j = 0; j < rows; j++, from += NR, to += plane)
            {
                var value = Vector512.Max(Vector512.Load(from) + Vector512.Create(bias[j]), Vector512<float>.Zero);
                Avx512F.MaskStore(to, inGroup, Vector512.ConditionalSelect(keep, value, Vector512<float>.Zero));
            }
        }
    }
}
