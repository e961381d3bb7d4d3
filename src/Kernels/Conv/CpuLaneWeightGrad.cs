using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Gemm;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// conv2d backward-weights on the lane form's micro-kernels (<see cref="Avx512LaneKernel"/>) with the
/// roles of their operands turned round: dW[co, (ci, r, t)] = Σ_(n, q) x[n, ci, q + tap(r, t)] · dy[n, co, q]
/// is the forward's c_row[lanes] += x[row + o] · w[v + lanes] with a row for each (input channel, tap),
/// the output channels in the lanes, and the output positions as the reduction — the tap table lists
/// positions (input offset o, output-gradient offset v) where the forward's listed taps. The output
/// gradient is laid position-major in channel panels (dyT[q][lanes], as the forward packs its weights),
/// the input padded per image (as the forward pads it). A tile's rows are input channels of one tap
/// (r, t), so they share its table, which lists only the positions whose tap lands inside the image:
/// no product with padding is computed (at 4×4 outputs of a padded 3×3 conv, 31 % of them).
/// Why: the shifted form computes its junk positions (23 % at 7×7) and sums in four partials, the
/// patch-matrix GEMM packs nine copies of the input; this reads each input once per tap row group.
/// Rounding: each chunk of images (about 512 positions) is summed in one FMA chain per weight from
/// zero and added to the total chunk after chunk. Normwise error against a double reference at batch
/// 32: 3.5e-7 (the shifted form and the GEMMs: 1.1–1.4e-7, their sums split over vector lanes and
/// partials); one chain over the whole batch (6272 positions at 128 @14×14) had 1.4e-6, chunks of
/// 1024 positions 5e-7.
/// Determinism: the chunks go by in order, and each (panel, tap, row group) is one item, owned by
/// whichever thread takes it, that sums its chunk and adds it to its own part of the total — so dW
/// depends on the inputs alone.
/// </summary>
internal static unsafe class CpuLaneWeightGrad
{
    /// <summary>Output positions a chunk aims for: the output-gradient panels stay in L2 while every row group reads them, and each weight's chain stays short.</summary>
    private const int ChunkPositions = 512;

    public static bool Fits(in Conv2dShape s) => Avx512LaneKernel.IsSupported;

    /// <summary>
    /// Where it beats the shifted form and the patch-matrix GEMMs: a spatial kernel, 64 channels or more
    /// in and out, outputs up to 14×14. Per call in ResNet-18's training at batch 32 (Zen 4; the
    /// other form in brackets): 128 @14×14 10.2 ms (shifted 12.2), 256 @7×7 9.1 (one-lane GEMM 16.0),
    /// 512 @4×4 13.5 (15.4), 128 → 256 and 256 → 512 at stride 2 5.4 and 6.7 (8.8, 8.1), 64 → 128 at
    /// stride 2 6.1 (shifted 6.6); 64 @28×28 11.9 against the shifted form's 11.6, though alone, its
    /// data in cache, 10.3 against 11.9. Thinner layers lose (13 → 7 @28×28: 1.4 against 0.35 ms;
    /// 32 @28×28 3.5 against 3.2): a tile's rows are input channels, a panel's lanes output ones, and
    /// with few of either they are mostly repeats and idle lanes; 1×1 convs lose to the GEMM.
    /// </summary>
    public static bool Prefers(in Conv2dShape s) => Fits(s) && s.KH * s.KW > 1 && s.Cin >= 64 && s.Cout >= 64 && s.OutH * s.OutW <= 14 * 14;

    /// <summary>dw[Cout, Cin·KH·KW] = Σ_n dy_n ⋆ x_n (written, not accumulated).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in Conv2dShape s, float[] x, float[] dy, float[] dw)
    {
        if (!Fits(s)) throw new ArgumentException($"conv2d weight gradient: the lane form needs AVX-512, not available for {s}");
        var shape = s;
        int p = s.OutH * s.OutW, taps = s.KH * s.KW, rowsTotal = s.Cin * taps;
        int hp = s.H + 2 * s.PadH, wp = s.W + 2 * s.PadW, plane = hp * wp, imageFloats = s.Cin * plane, inPlane = s.Cin * s.H * s.W;
        int chunkImages = Math.Clamp(ChunkPositions / p, 1, s.N);
        var panels = CpuLaneConv.Panels(s.Cout, 1);
        int lanesTotal = panels.Sum(panel => panel.Width);
        // Per panel: its output-gradient rows (chunk positions × width) and its accumulators (rows × width), at lane offsets.
        var laneAt = new int[panels.Length];
        for (int i = 1; i < panels.Length; i++) laneAt[i] = laneAt[i - 1] + panels[i - 1].Width;
        long paddedFloats = (long)chunkImages * imageFloats, dyFloats = (long)chunkImages * p * lanesTotal, accFloats = (long)rowsTotal * lanesTotal;
        float* padded = (float*)NativeMemory.AlignedAlloc((nuint)((paddedFloats + dyFloats + 2 * accFloats) * sizeof(float)), 64);
        float* dyT = padded + paddedFloats, acc = dyT + dyFloats, total = acc + accFloats;
        try
        {
            // Items of a chunk: (panel, tap, group of input channels); a group is one tile of the panel's width.
            var items = new List<(int Panel, int Tap, int C0)>();
            for (int i = 0; i < panels.Length; i++)
                for (int tap = 0; tap < taps; tap++)
                    for (int c0 = 0; c0 < s.Cin; c0 += Avx512LaneKernel.Rows(panels[i].Width))
                        items.Add((i, tap, c0));
            var tables = new Dictionary<(int Images, int Width), long[][]>();
            fixed (float* xp = x, dyp = dy)
            {
                nint xa = (nint)xp, da = (nint)dyp;
                for (int first = 0; first < s.N; first += chunkImages)
                {
                    int images = Math.Min(chunkImages, s.N - first), n0 = first;
                    bool firstChunk = first == 0;
                    // The chunk's inputs padded and its output gradients laid position-major, image by image over the team.
                    CpuConv.ForEachImage(images, i =>
                    {
                        CpuImplicitConv.PadImage(shape, (float*)xa + (long)(n0 + i) * inPlane, null, shape.Cin, padded + (long)i * imageFloats);
                        for (int k = 0; k < panels.Length; k++)
                        {
                            var (from, width, used, _) = panels[k];
                            float* rows = dyT + (long)images * p * laneAt[k] + (long)i * p * width;
                            for (int g = 0; g < width; g += 8)
                                PanelTranspose.Rows((float*)da + ((long)(n0 + i) * shape.Cout + from + Math.Min(g, used)) * p, p,
                                                    Math.Clamp(used - g, 0, 8), p, rows + g, width);
                        }
                    });
                    var chunkTables = new long[panels.Length][][];
                    for (int k = 0; k < panels.Length; k++)
                    {
                        if (!tables.TryGetValue((images, panels[k].Width), out var perTap))
                            tables[(images, panels[k].Width)] = perTap = TapTables(shape, images, imageFloats, panels[k].Width);
                        chunkTables[k] = perTap;
                    }
                    CpuConv.ForEachImage(items.Count, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (item) =>
                    {
                        var (k, tap, c0) = items[item];
                        int width = panels[k].Width, mr = Avx512LaneKernel.Rows(width), r = tap / shape.KW, t = tap - r * shape.KW;
                        int* rowOffsets = stackalloc int[mr];
                        int* slots = stackalloc int[mr];
                        // Rows past the last input channel repeat it: the kernel stores the same sums twice.
                        for (int j = 0; j < mr; j++)
                        {
                            int c = Math.Min(c0 + j, shape.Cin - 1);
                            rowOffsets[j] = c * plane + r * wp + t;
                            slots[j] = c * taps + tap;
                        }
                        var table = chunkTables[k][tap];
                        long at = (long)rowsTotal * laneAt[k];
                        float* g = dyT + (long)images * p * laneAt[k], sums = acc + at;
                        fixed (long* tp = table)
                            Avx512LaneKernel.Run(width, table.Length, g, tp, padded, rowOffsets, sums, slots, false);
                        // The group's rows into the total: copied from the first chunk, added from the others.
                        for (int j = 0, rows = Math.Min(mr, shape.Cin - c0); j < rows; j++)
                        {
                            var part = new ReadOnlySpan<float>(sums + (long)slots[j] * width, width);
                            var into = new Span<float>(total + at + (long)slots[j] * width, width);
                            if (firstChunk) part.CopyTo(into);
                            else TensorPrimitives.Add(into, part, into);
                        }
                    });
                }
            }
            // dw[co, j] = row j = ci·taps + tap of the totals, lane co − from of co's panel: each panel's
            // [rows][width] totals transposed 8 rows at a time (a float at a time, strided, this took
            // a sixth of a 512 @4×4 weight gradient).
            var blocks = new List<(int Panel, int J0)>();
            for (int k = 0; k < panels.Length; k++)
                for (int j0 = 0; j0 < rowsTotal; j0 += 8 * 16) blocks.Add((k, j0));
            CpuConv.ForEachImage(blocks.Count, b =>
            {
                var (k, j0) = blocks[b];
                var (from, width, used, _) = panels[k];
                float* rows = total + (long)rowsTotal * laneAt[k];
                int end = Math.Min(j0 + 8 * 16, rowsTotal), j = j0;
                fixed (float* dwp = dw)
                {
                    // Whole blocks of 8 rows only: PanelTranspose stores each lane's 8 floats, zeros past the rows given.
                    for (; j + 8 <= end; j += 8)
                        PanelTranspose.Rows(rows + (long)j * width, width, 8, used, dwp + (long)from * rowsTotal + j, rowsTotal);
                    for (; j < end; j++)
                        for (int lane = 0; lane < used; lane++)
                            dwp[(long)(from + lane) * rowsTotal + j] = rows[(long)j * width + lane];
                }
            });
        }
        finally
        {
            NativeMemory.AlignedFree(padded);
        }
    }

    /// <summary>
    /// Per tap (r, t), the chunk's output positions whose input x[oh·S − padH + r, ow·S − padW + t]
    /// lies inside the image, in order: (that input's offset in the padded chunk, less the tap's own
    /// r·wp + t) | (the position's output-gradient row, in floats) &lt;&lt; 32.
    /// </summary>
    private static long[][] TapTables(in Conv2dShape s, int images, int imageFloats, int width)
    {
        int p = s.OutH * s.OutW, wp = s.W + 2 * s.PadW;
        var tables = new long[s.KH * s.KW][];
        var list = new List<long>(images * p);
        for (int r = 0; r < s.KH; r++)
            for (int t = 0; t < s.KW; t++)
            {
                list.Clear();
                for (int i = 0; i < images; i++)
                    for (int oh = 0; oh < s.OutH; oh++)
                    {
                        int ih = oh * s.StrideH - s.PadH + r;
                        if (ih < 0 || ih >= s.H) continue;
                        for (int ow = 0; ow < s.OutW; ow++)
                        {
                            int iw = ow * s.StrideW - s.PadW + t;
                            if (iw < 0 || iw >= s.W) continue;
                            long input = (long)i * imageFloats + (long)oh * s.StrideH * wp + (long)ow * s.StrideW;
                            long gradient = ((long)i * p + oh * s.OutW + ow) * width;
                            list.Add(input | gradient << 32);
                        }
                    }
                tables[r * s.KW + t] = list.ToArray();
            }
        return tables;
    }
}
