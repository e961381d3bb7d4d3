using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Gemm;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The conv forward as a GEMM whose B panels are packed straight from the image (implicit
/// im2col), for the dense conv and gather conv alike. Why: with im2col + Sgemm every image's
/// patch matrix (K × P floats, K = Cin·KH·KW) is written to memory, read back by the GEMM's B
/// packing and written again — three passes over K·P that do not shrink with the output channel
/// count, so a conv with few (kept) output channels was bound by them (output-pruned gather conv
/// at 10 % ran at ~2× instead of ~10×). Here each NR-pixel panel of the patch matrix is packed once
/// into an L2-resident buffer and consumed at once by every row panel of the weights, which are
/// packed into the micro-kernel's A layout once per call — the kept [out, in] sub-block gathered
/// through the index lists on the way in (no weight copy outlives the call).
/// Threads: images are dealt out to the team (callers use this only when every thread gets one).
/// Determinism: every output is one micro-kernel call over the full K in a fixed order.
/// </summary>
internal static unsafe class CpuImplicitConv
{
    /// <summary>Whether the widest SIMD micro-kernel can run here (otherwise callers use im2col + Sgemm).</summary>
    public static bool IsSupported => Avx512MicroKernel.IsSupported || Avx2MicroKernel.IsSupported || Vector128MicroKernel.IsSupported;

    /// <summary>
    /// y[n, j] = Σ conv(x[n, inChannels[c]], w[outRows[j], inChannels[c]]) (+ bias[outRows[j]]),
    /// y [N, outRows.Length, OutH, OutW]; a null list means every channel in order.
    /// </summary>
    public static void Forward(in Conv2dShape s, float[] x, float[] w, float[]? bias, float[] y, int[]? inChannels, int[]? outRows,
                               ImplicitConvPath path = ImplicitConvPath.Auto, CpuEpilogue epilogue = default)
    {
        if (path == ImplicitConvPath.Shifted && !CpuShiftedConv.Fits(s))
            throw new ArgumentException($"conv2d forward: the shifted path needs AVX-512 and either stride 1 with padding below the kernel size or a stride no larger than the kernel, not {s}");
        if (Avx512MicroKernel.IsSupported) Driver<Avx512MicroKernel>.Forward(s, x, w, bias, y, inChannels, outRows, path, epilogue);
        else if (Avx2MicroKernel.IsSupported) Driver<Avx2MicroKernel>.Forward(s, x, w, bias, y, inChannels, outRows, path, epilogue);
        else Driver<Vector128MicroKernel>.Forward(s, x, w, bias, y, inChannels, outRows, path, epilogue);
    }

    /// <summary>
    /// Two convs in a row, the first with bias and ReLU (<see cref="CpuShiftedPair"/>), when both would
    /// take the shifted path on their own and the pair fits; false (nothing written) otherwise.
    /// </summary>
    public static bool ForwardPair(in Conv2dShape first, in Conv2dShape second, float[] x, float[] w1, float[]? b1, float[] w2, float[]? b2, float[] y,
                                   CpuEpilogue epilogue)
    {
        if (!CpuShiftedPair.Fits(first, second)
            || !CpuShiftedConv.Prefers(first, first.Cout, first.Cin) || !CpuShiftedConv.Prefers(second, second.Cout, second.Cin))
            return false;
        Driver<Avx512MicroKernel>.ForwardPair(first, second, x, w1, b1, w2, b2, y, epilogue);
        return true;
    }

    private static class Driver<TKernel> where TKernel : struct, IGemmMicroKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ForwardPair(Conv2dShape first, Conv2dShape second, float[] x, float[] w1, float[]? b1, float[] w2, float[]? b2, float[] y,
                                       CpuEpilogue epilogue)
        {
            int mr = TKernel.MR;
            var panels1 = new RowPanels(first.Cout, balanced: true);
            var panels2 = new RowPanels(second.Cout, balanced: true);
            float[] packed1 = ArrayPool<float>.Shared.Rent(panels1.Count * mr * first.PatchSize);
            float[] packed2 = ArrayPool<float>.Shared.Rent(panels2.Count * mr * second.PatchSize);
            try
            {
                PackWeights(first, w1, packed1, null, null, first.Cout, first.Cin, panels1);
                PackWeights(second, w2, packed2, null, null, second.Cout, second.Cin, panels2);
                CpuShiftedPair.Forward(first, second, x, packed1, panels1, b1, packed2, panels2, b2, y, epilogue);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(packed1);
                ArrayPool<float>.Shared.Return(packed2);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Forward(Conv2dShape s, float[] x, float[] w, float[]? bias, float[] y, int[]? inChannels, int[]? outRows, ImplicitConvPath path,
                                   CpuEpilogue epilogue)
        {
            int mr = TKernel.MR, nr = TKernel.NR;
            int keptIn = inChannels?.Length ?? s.Cin, m = outRows?.Length ?? s.Cout, area = s.KH * s.KW;
            int k = keptIn * area, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W;
            int rowPanels = (m + mr - 1) / mr;
            float[] packed = ArrayPool<float>.Shared.Rent(rowPanels * mr * k);
            try
            {
                // The shifted path shares the 6-row weight panels of the AVX-512 kernel, cut its own way.
                bool shifted = typeof(TKernel) == typeof(Avx512MicroKernel) && path switch
                {
                    ImplicitConvPath.Shifted => true,
                    ImplicitConvPath.Packed => false,
                    // With fewer images than threads only the shifted form shares one image's work out.
                    _ => s.N < WorkerTeam.Shared.Size && CpuShiftedConv.Fits(s) || CpuShiftedConv.Prefers(s, m, keptIn),
                };
                var panels = new RowPanels(m, balanced: shifted);
                PackWeights(s, w, packed, inChannels, outRows, m, keptIn, shifted ? panels : null);
                if (shifted)
                {
                    CpuShiftedConv.Forward(s, x, packed, panels, bias, y, inChannels, outRows, epilogue);
                    return;
                }
                CpuConv.ForEachImage(s.N, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (n) =>
                {
                    var yn = y.AsSpan(n * m * p, m * p);
                    if (bias is not null)
                        for (int j = 0; j < m; j++) yn.Slice(j * p, p).Fill(bias[outRows is null ? j : outRows[j]]);
                    float beta = bias is null ? 0f : 1f;
                    float* panel = AlignedScratch.Get(AlignedScratch.Slot.PackB, (long)k * nr);
                    float* padded = AlignedScratch.Get(AlignedScratch.Slot.ConvImage, (long)keptIn * (s.H + 2 * s.PadH) * (s.W + 2 * s.PadW));
                    float* edge = stackalloc float[mr * nr];
                    fixed (float* xp = x, yp = y, ap = packed)
                    {
                        float* yBase = yp + (long)n * m * p;
                        PadImage(s, xp + (long)n * inPlane, inChannels, keptIn, padded);
                        for (int j0 = 0; j0 < p; j0 += nr)
                        {
                            int cols = Math.Min(nr, p - j0);
                            PackPatches(s, padded, keptIn, j0, cols, panel, nr);
                            for (int ip = 0; ip < rowPanels; ip++)
                            {
                                int rows = Math.Min(mr, m - ip * mr);
                                float* a = ap + (long)ip * mr * k, c = yBase + (long)ip * mr * p + j0;
                                if (rows == mr && cols == nr)
                                {
                                    TKernel.Run(k, a, panel, c, p, 1f, beta);
                                    continue;
                                }
                                TKernel.Run(k, a, panel, edge, nr, 1f, 0f);
                                for (int r = 0; r < rows; r++)
                                    for (int q = 0; q < cols; q++)
                                        c[r * p + q] = beta == 0f ? edge[r * nr + q] : c[r * p + q] + edge[r * nr + q];
                            }
                        }
                    }
                    if (!epilogue.IsNone) epilogue.Apply(yn, n * m * p);
                });
            }
            finally
            {
                ArrayPool<float>.Shared.Return(packed);
            }
        }

        /// <summary>
        /// The kept weight rows as MR-row micro-panels: a[ip][kk·MR + r] = w[outRows[ip·MR + r], inChannels[kk / area], kk % area],
        /// 0 past the last row; rows placed by <paramref name="panels"/> when given (the shifted kernel's cut).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void PackWeights(in Conv2dShape s, float[] w, float[] a, int[]? inChannels, int[]? outRows, int m, int keptIn, RowPanels? panels)
        {
            var shape = s;
            int mr = TKernel.MR, area = s.KH * s.KW, k = keptIn * area, rowPanels = (m + mr - 1) / mr;
            // The team packs disjoint panels: single-threaded, packing took 5–6 % of a 64- or
            // 256-channel 7×7 conv. Panels of ~16 K floats a chunk or more, so small convs stay on the caller.
            CpuParallel.For(rowPanels, Math.Max(1, (1 << 14) / (mr * k)), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p0, p1) =>
            {
                if (inChannels is null && outRows is null)
                {
                    // Every channel: a panel's rows are consecutive rows of w, k floats each.
                    fixed (float* wp = w, ap = a)
                        for (int ip = p0; ip < p1; ip++)
                        {
                            int first = panels is { } cut ? cut.First(ip) : ip * mr, rows = panels is { } c2 ? c2.Rows(ip) : Math.Min(mr, m - first);
                            PanelTranspose.Rows(wp + (long)first * k, k, rows, k, ap + (long)ip * mr * k, mr);
                        }
                    return;
                }
                for (int ip = p0; ip < p1; ip++)
                    for (int r = 0; r < mr; r++)
                    {
                        int row = panels is { } cut ? (r < cut.Rows(ip) ? cut.First(ip) + r : m) : ip * mr + r;
                        var dst = a.AsSpan(ip * mr * k);
                        if (row >= m)
                        {
                            for (int kk = 0; kk < k; kk++) dst[kk * mr + r] = 0f;
                            continue;
                        }
                        int wRow = (outRows is null ? row : outRows[row]) * shape.Cin;
                        for (int c = 0; c < keptIn; c++)
                        {
                            var src = w.AsSpan((wRow + (inChannels is null ? c : inChannels[c])) * area, area);
                            for (int t = 0; t < area; t++) dst[(c * area + t) * mr + r] = src[t];
                        }
                    }
            });
        }
    }

    /// <summary>
    /// The kept input channels of one image with their zero border, [keptIn, H + 2·ph, W + 2·pw]:
    /// made once per image (1/(KH·KW) of the patch matrix), it lets every patch row be a plain copy.
    /// </summary>
    internal static void PadImage(in Conv2dShape s, float* x, int[]? inChannels, int keptIn, float* padded)
    {
        int hp = s.H + 2 * s.PadH, wp = s.W + 2 * s.PadW, plane = s.H * s.W;
        if (Avx512F.IsSupported)
        {
            PadImage512(s, x, inChannels, keptIn, padded);
            return;
        }
        for (int c = 0; c < keptIn; c++)
        {
            float* src = x + (long)(inChannels is null ? c : inChannels[c]) * plane, dst = padded + (long)c * hp * wp;
            new Span<float>(dst, s.PadH * wp).Clear();
            for (int ih = 0; ih < s.H; ih++)
            {
                float* row = dst + (s.PadH + ih) * wp;
                new Span<float>(row, s.PadW).Clear();
                ShortCopy.Floats(src + ih * s.W, row + s.PadW, s.W);
                new Span<float>(row + s.PadW + s.W, s.PadW).Clear();
            }
            new Span<float>(dst + (s.PadH + s.H) * wp, s.PadH * wp).Clear();
        }
    }

    /// <summary>
    /// <see cref="PadImage"/> a padded row at a time in 16-lane steps: the interior lanes masked-loaded
    /// from x (the border lanes read nothing and come out zero), each step stored masked to the row.
    /// Why: with a clear and a copy call per border and row, padding a 512-channel 4×4 batch (six
    /// rows of six floats a plane) was bound by the calls — 0.6 ms, 8 % of the conv that follows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PadImage512(in Conv2dShape s, float* x, int[]? inChannels, int keptIn, float* padded)
    {
        int hp = s.H + 2 * s.PadH, wp = s.W + 2 * s.PadW, plane = s.H * s.W, steps = (wp + 15) / 16;
        var inside = stackalloc Vector512<float>[steps];
        var store = stackalloc Vector512<float>[steps];
        for (int j = 0; j < steps; j++)
        {
            var lane = Vector512<int>.Indices + Vector512.Create(j * 16);
            store[j] = Vector512.LessThan(lane, Vector512.Create(wp)).AsSingle();
            inside[j] = (Vector512.GreaterThanOrEqual(lane, Vector512.Create(s.PadW)) & Vector512.LessThan(lane, Vector512.Create(s.PadW + s.W))).AsSingle();
        }
        for (int c = 0; c < keptIn; c++)
        {
            float* src = x + (long)(inChannels is null ? c : inChannels[c]) * plane, dst = padded + (long)c * hp * wp;
            for (int ih = 0; ih < hp; ih++, dst += wp)
            {
                int row = ih - s.PadH;
                if ((uint)row >= (uint)s.H)
                {
                    for (int j = 0; j < steps; j++) Avx512F.MaskStore(dst + j * 16, store[j], Vector512<float>.Zero);
                    continue;
                }
                float* from = src + row * s.W - s.PadW;
                for (int j = 0; j < steps; j++)
                    Avx512F.MaskStore(dst + j * 16, store[j], Avx512F.MaskLoad(from + j * 16, inside[j], Vector512<float>.Zero));
            }
        }
    }

    /// <summary>
    /// Columns j0 … j0+cols of the patch matrix as one B micro-panel, from the padded image:
    /// panel[kk·nr + j] = padded[c, oh·sh + r, ow·sw + q] for kk = (c·KH + r)·KW + q and pixel
    /// j0 + j = oh·OutW + ow; 0 past cols. The panel's pixels are cut into output-row segments once.
    /// </summary>
    private static void PackPatches(in Conv2dShape s, float* padded, int keptIn, int j0, int cols, float* panel, int nr)
    {
        int outW = s.OutW, hp = s.H + 2 * s.PadH, wp = s.W + 2 * s.PadW;
        int segments = 0;
        Span<int> segSrc = stackalloc int[nr], segDst = stackalloc int[nr], segLen = stackalloc int[nr];
        for (int j = 0; j < cols; segments++)
        {
            int pixel = j0 + j, oh = pixel / outW, ow = pixel - oh * outW, len = Math.Min(outW - ow, cols - j);
            (segSrc[segments], segDst[segments], segLen[segments]) = (oh * s.StrideH * wp + ow * s.StrideW, j, len);
            j += len;
        }
        int kk = 0;
        if (s.StrideW == 1 && cols == nr && segments * outW == nr && segSrc[0] % wp == 0)
        {
            // The common case (3×3 stride 1, panel width a multiple of the output width): the
            // panel is whole output rows, each a copy of outW floats at a fixed stride.
            int rowStep = s.StrideH * wp, rows = segments, first = segSrc[0];
            for (int c = 0; c < keptIn; c++)
                for (int r = 0; r < s.KH; r++)
                    for (int q = 0; q < s.KW; q++, kk++)
                    {
                        float* src = padded + (long)c * hp * wp + r * wp + q + first, dst = panel + (long)kk * nr;
                        for (int g = 0; g < rows; g++, src += rowStep, dst += outW) ShortCopy.Floats(src, dst, outW);
                    }
            return;
        }
        for (int c = 0; c < keptIn; c++)
            for (int r = 0; r < s.KH; r++)
                for (int q = 0; q < s.KW; q++, kk++)
                {
                    float* src = padded + (long)c * hp * wp + r * wp + q, dst = panel + (long)kk * nr;
                    for (int g = 0; g < segments; g++)
                    {
                        float* from = src + segSrc[g], to = dst + segDst[g];
                        if (s.StrideW == 1) ShortCopy.Floats(from, to, segLen[g]);
                        else for (int t = 0; t < segLen[g]; t++) to[t] = from[t * s.StrideW];
                    }
                    for (int j = cols; j < nr; j++) dst[j] = 0f;
                }
    }
}

/// <summary>Which form of the implicit conv forward runs; tests force each.</summary>
internal enum ImplicitConvPath
{
    /// <summary>The cheaper by CpuShiftedConv.Prefers's cost model.</summary>
    Auto,
    /// <summary>Patches packed into B panels per 64 pixels.</summary>
    Packed,
    /// <summary>B read in place from stacked zero-bordered images (stride 1, AVX-512).</summary>
    Shifted,
}
