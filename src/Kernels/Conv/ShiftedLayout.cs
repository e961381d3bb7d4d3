using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The stacked, zero-bordered image buffer of the shifted conv paths (CpuShiftedConv's forward,
/// CpuShiftedWeightGrad's weight gradient), in which every tap (input channel c, kernel row r,
/// column t) over consecutive "wide" output positions q = row·RowStride + column is one run of the
/// buffer at q + Offset(c, r, t) — so kernels read it in place instead of packing patches.
/// <list type="bullet">
/// <item>Stride 1: each channel's plane stacks the images with W + PadW floats a row and H + PadH rows
/// an image, one band of zeros serving as one image's bottom border and the next one's top (and one
/// gap as a row's right border and the next row's left); needs PadH &lt; KH and PadW &lt; KW.</item>
/// <item>Stride S ≥ 2: each zero-padded image is split into S_H·S_W phase planes, phase (a, b)
/// holding padded pixels (S_H·i + a, S_W·j + b), so a tap with r = S_H·dr + a reads phase (a, b)
/// shifted by (dr, dt) — a stride-1 read again. Rows are ⌈(W + 2·PadW)/S_W⌉ floats, images
/// ⌈(H + 2·PadH)/S_H⌉ rows, each image with its own padding.</item>
/// </list>
/// Output positions past a real output (RowStride − OutW columns a row, ImageRows − OutH rows an
/// image) are junk: computed and dropped, the price of reading in place.
/// </summary>
internal readonly struct ShiftedLayout
{
    public ShiftedLayout(in Conv2dShape s, int keptIn, int images)
    {
        KeptIn = keptIn;
        SH = s.StrideH;
        SW = s.StrideW;
        OutH = s.OutH;
        Images = images;
        Unit = SH == 1 && SW == 1;
        if (Unit)
        {
            RowStride = s.W + s.PadW;
            ImageRows = s.H + s.PadH;
            Plane = (images * ImageRows + s.PadH) * RowStride + s.PadW;
        }
        else
        {
            RowStride = (s.W + 2 * s.PadW + SW - 1) / SW;
            ImageRows = (s.H + 2 * s.PadH + SH - 1) / SH;
            Plane = images * ImageRows * RowStride;
        }
        // The last tile reads up to 64 positions past the end plus the tap's reach.
        Floats = (long)keptIn * SH * SW * Plane + Avx512ShiftedKernel.NR + s.KW;
        Tiles = (PositionsFor(images) + Avx512ShiftedKernel.NR - 1) / Avx512ShiftedKernel.NR;
    }

    /// <summary>Stride 1 with borders within the kernel's reach, or any stride (each image padded in its phases).</summary>
    public static bool Fits(in Conv2dShape s) =>
        s.StrideH == 1 && s.StrideW == 1 ? s.PadH < s.KH && s.PadW < s.KW : s.StrideH <= s.KH && s.StrideW <= s.KW;

    /// <summary>Floats one image of <paramref name="keptIn"/> channels takes in the buffer.</summary>
    public static long ImageFloats(in Conv2dShape s, int keptIn) =>
        s.StrideH == 1 && s.StrideW == 1
            ? (long)keptIn * (s.H + s.PadH) * (s.W + s.PadW)
            : (long)keptIn * s.StrideH * s.StrideW * ((s.H + 2 * s.PadH + s.StrideH - 1) / s.StrideH) * ((s.W + 2 * s.PadW + s.StrideW - 1) / s.StrideW);

    public int KeptIn { get; }
    public int SH { get; }
    public int SW { get; }
    /// <summary>Stride 1: the shared-border layout.</summary>
    public bool Unit { get; }
    /// <summary>Floats per buffer row, real columns and borders.</summary>
    public int RowStride { get; }
    /// <summary>Buffer rows per image.</summary>
    public int ImageRows { get; }
    public int OutH { get; }
    public int Images { get; }
    /// <summary>Floats per plane (a channel, or a channel's phase): the images and their borders.</summary>
    public int Plane { get; }
    public long Floats { get; }
    public int Tiles { get; }

    /// <summary>Wide output positions of a group: every image's rows but the last image's junk rows.</summary>
    public int PositionsFor(int images) => ((images - 1) * ImageRows + OutH) * RowStride;

    /// <summary>Where tap (kept channel c, kernel row r, kernel column t) starts, relative to position 0.</summary>
    public int Offset(int c, int r, int t) => Unit
        ? c * Plane + r * RowStride + t
        : ((c * SH + r % SH) * SW + t % SW) * Plane + r / SH * RowStride + t / SW;

    /// <summary>Every tap's offset, kept channel by channel, kernel row by row: offsets[(c·KH + r)·KW + t] = Offset(c, r, t).</summary>
    public void Offsets(in Conv2dShape s, Span<int> offsets)
    {
        for (int c = 0, kk = 0; c < KeptIn; c++)
            for (int r = 0; r < s.KH; r++)
                for (int t = 0; t < s.KW; t++, kk++)
                    offsets[kk] = Offset(c, r, t);
    }

    /// <summary>
    /// The kept channels of images n0 … n0 + images − 1 into their slots (borders untouched: the
    /// caller zeroes the buffer once, and only real pixels are ever written).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Stack(in Conv2dShape s, float* x, int n0, int images, int[]? inChannels, float* stacked)
    {
        int plane = s.H * s.W, inPlane = s.Cin * plane;
        // Strided: where each input row starts in its image's phase planes, and where its even and odd
        // pixels go from there — worked out once, not with two divisions per row (a third of a thin
        // stride-2 conv's time went into stacking).
        int* rowAt = stackalloc int[Unit ? 0 : s.H];
        if (!Unit)
            for (int ih = 0; ih < s.H; ih++)
            {
                int u = ih + s.PadH;
                rowAt[ih] = u % SH * SW * Plane + u / SH * RowStride;
            }
        long evens = (long)(s.PadW % 2) * Plane + s.PadW / 2, odds = (long)((1 + s.PadW) % 2) * Plane + (1 + s.PadW) / 2;
        for (int c = 0; c < KeptIn; c++)
        {
            int channel = inChannels is null ? c : inChannels[c];
            for (int g = 0; g < images; g++)
            {
                float* src = x + (long)(n0 + g) * inPlane + (long)channel * plane;
                if (Unit)
                {
                    float* dst = stacked + (long)c * Plane + (s.PadH + g * ImageRows) * RowStride + s.PadW;
                    for (int ih = 0; ih < s.H; ih++) ShortCopy.Floats(src + ih * s.W, dst + ih * RowStride, s.W);
                    continue;
                }
                float* image = stacked + (long)c * SH * SW * Plane + (long)g * ImageRows * RowStride;
                for (int ih = 0; ih < s.H; ih++)
                {
                    float* row = image + rowAt[ih];
                    float* line = src + ih * s.W;
                    if (SW == 2 && Avx512F.IsSupported)
                    {
                        Deinterleave(line, s.W, row + evens, row + odds);
                        continue;
                    }
                    // Phase b takes every SW-th pixel, starting where (iw + PadW) mod SW = b.
                    for (int b = 0; b < SW; b++)
                    {
                        int iw = ((b - s.PadW) % SW + SW) % SW;
                        float* dst = row + (long)b * Plane + (iw + s.PadW) / SW;
                        for (; iw < s.W; iw += SW) *dst++ = line[iw];
                    }
                }
            }
        }
    }

    /// <summary>
    /// line[0], line[2], … to <paramref name="evens"/> and line[1], line[3], … to <paramref name="odds"/>:
    /// 16 floats per in-register permute (even lanes to the low half, odd to the high), the row's
    /// last ones by one more permute of the row's last 16 (8 on rows of 8 to 15 floats), started an
    /// even number of floats in so the halves stay evens and odds — it rewrites a few outputs with
    /// the same values — and, on an odd width, the last even float alone. Why not masked loads and
    /// stores for the rest: fewer instructions, no masks to build. The permutes' index vectors are
    /// constants in the code, not static readonly fields: this method is compiled before its class
    /// is initialized (AggressiveOptimization), so a field is read through a helper call each time —
    /// that alone made the stacking half of a thin stride-2 conv's time on a Zen 4 (13→19 at 28 px:
    /// 0.30 ms, 0.17 without the stacking; stacking 32 images 0.28 ms on one thread, 0.065 with a constant).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Deinterleave(float* line, int width, float* evens, float* odds)
    {
        if (width < 8)
        {
            for (int i = 0; i < width; i++) (i % 2 == 0 ? evens : odds)[i / 2] = line[i];
            return;
        }
        if (width < 16)
        {
            Split8(line, evens, odds, 0);
            Split8(line, evens, odds, (width - 8) & ~1);
        }
        else
        {
            int i = 0;
            for (; i + 16 <= width; i += 16) Split16(line, evens, odds, i);
            if (i < width) Split16(line, evens, odds, (width - 16) & ~1);
        }
        // An odd width's last float is an even one the last (even-started) permute stopped short of.
        if (width % 2 == 1) evens[width / 2] = line[width - 1];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Split16(float* line, float* evens, float* odds, int i)
    {
        var split = Avx512F.PermuteVar16x32(Vector512.Load(line + i), Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
        split.GetLower().Store(evens + i / 2);
        split.GetUpper().Store(odds + i / 2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Split8(float* line, float* evens, float* odds, int i)
    {
        var split = Avx2.PermuteVar8x32(Vector256.Load(line + i), Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7));
        split.GetLower().Store(evens + i / 2);
        split.GetUpper().Store(odds + i / 2);
    }
}
