using System.Buffers;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// Which taps each micro-tile of the lane form (<see cref="CpuLaneConv"/>) multiplies. An output at
/// an image's border sees zero padding through some of its taps: at 4×4 outputs of a padded 3×3
/// conv 31 % of the taps, at 7×7 18 %, at 14×14 9 %. Each output's taps that land inside the image
/// form a rectangle (rows r0..r1, columns t0..t1 of the kernel); a chunk's positions are ordered by
/// that rectangle, cut into tiles of six, and each tile runs over the taps of the smallest rectangle
/// holding all of its rows' — for a row whose own rectangle is smaller, the extra taps read its
/// zero border and add nothing. So the zeros are skipped and nothing else changes: each output's
/// FMA chain still takes its nonzero terms in the same order, and the sum is bit for bit the same.
/// A rectangle's taps are a table of (input offset, weight offset) pairs for one block of input
/// channels, read with the block's base pointers: <see cref="BlockChannels"/> channels,
/// channel-major, as the weights are packed.
/// </summary>
internal sealed class LaneTiling : IDisposable
{
    private readonly List<(int R0, int R1, int T0, int T1)> rects = [];
    private readonly List<int> tileRects = [];
    private int[] rows = [], slots = [];
    private long[] pairs = [];
    private int[] start = [];

    /// <param name="images">Images in the chunk tiled (positions are image-major within a rectangle).</param>
    /// <param name="imageFloats">Floats of one padded input image (the chunk's images follow each other).</param>
    /// <param name="blockTaps">Taps a reduction block aims for: <see cref="BlockChannels"/> = blockTaps / (KH·KW), at least 1.</param>
    public LaneTiling(in Conv2dShape s, int images, int imageFloats, int blockTaps)
    {
        int p = s.OutH * s.OutW, positions = images * p, hp = s.H + 2 * s.PadH, wp = s.W + 2 * s.PadW;
        BlockChannels = Math.Max(1, blockTaps / (s.KH * s.KW));
        Tiles = (positions + MR - 1) / MR;
        rows = ArrayPool<int>.Shared.Rent(Tiles * MR);
        slots = ArrayPool<int>.Shared.Rent(Tiles * MR);

        // Each output pixel's rectangle of taps inside the image, and the pixels grouped by it.
        var pixelRect = new int[p];
        for (int q = 0; q < p; q++)
        {
            int oh = q / s.OutW, ow = q - oh * s.OutW, ih = oh * s.StrideH - s.PadH, iw = ow * s.StrideW - s.PadW;
            var rect = (Math.Max(0, -ih), Math.Clamp(s.H - ih, 0, s.KH), Math.Max(0, -iw), Math.Clamp(s.W - iw, 0, s.KW));
            pixelRect[q] = RectIndex(rect);
        }
        // Smallest rectangles first: a tile that straddles two groups then mostly adds a few taps to the smaller one's.
        int[] order = Enumerable.Range(0, rects.Count).OrderBy(i => Area(rects[i])).ThenBy(i => i).ToArray();
        int at = 0;
        foreach (int g in order)
            for (int image = 0; image < images; image++)
                for (int q = 0; q < p; q++)
                {
                    if (pixelRect[q] != g) continue;
                    int oh = q / s.OutW, ow = q - oh * s.OutW;
                    rows[at] = image * imageFloats + oh * s.StrideH * wp + ow * s.StrideW;
                    slots[at++] = image * p + q;
                }
        // Rows past the last position repeat it; the kernel stores the same sums twice.
        for (; at < Tiles * MR; at++) (rows[at], slots[at]) = (rows[positions - 1], slots[positions - 1]);

        var position = new int[Tiles * MR];
        for (int i = 0; i < positions; i++) position[i] = pixelRect[slots[i] % p];
        for (int t = 0; t < Tiles; t++)
        {
            var union = rects[position[t * MR]];
            for (int r = 1; r < MR && t * MR + r < positions; r++)
            {
                var other = rects[position[t * MR + r]];
                union = (Math.Min(union.R0, other.R0), Math.Max(union.R1, other.R1), Math.Min(union.T0, other.T0), Math.Max(union.T1, other.T1));
            }
            tileRects.Add(RectIndex(union));
        }

        // Each rectangle's (input offset, weight offset) pairs for one block of channels, channel-major.
        start = new int[rects.Count + 1];
        for (int i = 0; i < rects.Count; i++) start[i + 1] = start[i] + BlockChannels * Area(rects[i]);
        pairs = ArrayPool<long>.Shared.Rent(start[^1]);
        for (int i = 0; i < rects.Count; i++)
        {
            var (r0, r1, t0, t1) = rects[i];
            int e = start[i];
            for (int c = 0; c < BlockChannels; c++)
                for (int r = r0; r < r1; r++)
                    for (int t = t0; t < t1; t++)
                    {
                        long input = (long)c * hp * wp + r * wp + t, weight = ((long)c * s.KH * s.KW + r * s.KW + t) * Avx512LaneKernel.Lanes;
                        pairs[e++] = input | weight << 32;
                    }
        }
    }

    private const int MR = Avx512LaneKernel.Rows;

    /// <summary>Input channels a reduction block: a tile's taps of these channels are one kernel call.</summary>
    public int BlockChannels { get; }

    public int Tiles { get; }

    /// <summary>Tile row i's receptive field: its top-left input in the padded chunk.</summary>
    public ReadOnlySpan<int> RowOffsets => rows.AsSpan(0, Tiles * MR);

    /// <summary>Tile row i's output position in the chunk (image · OutH·OutW + pixel): where its sums go.</summary>
    public ReadOnlySpan<int> Slots => slots.AsSpan(0, Tiles * MR);

    /// <summary>Tile <paramref name="tile"/>'s taps for a block of <paramref name="channels"/> (≤ BlockChannels) input channels.</summary>
    public ReadOnlySpan<long> Taps(int tile, int channels)
    {
        int rect = tileRects[tile];
        return pairs.AsSpan(start[rect], channels * Area(rects[rect]));
    }

    private int RectIndex((int R0, int R1, int T0, int T1) rect)
    {
        int i = rects.IndexOf(rect);
        if (i >= 0) return i;
        rects.Add(rect);
        return rects.Count - 1;
    }

    private static int Area((int R0, int R1, int T0, int T1) r) => Math.Max(0, r.R1 - r.R0) * Math.Max(0, r.T1 - r.T0);

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(rows);
        ArrayPool<int>.Shared.Return(slots);
        ArrayPool<long>.Shared.Return(pairs);
        (rows, slots, pairs) = ([], [], []);
    }
}
