namespace SparseCore.Kernels.Conv;

/// <summary>
/// Which taps each micro-tile of the lane form (<see cref="CpuLaneConv"/>) multiplies. An output at
/// an image's border sees zero padding through some of its taps: at 4×4 outputs of a padded 3×3
/// conv 31 % of the taps, at 7×7 18 %, at 14×14 9 %. Each output's taps that land inside the image
/// form a rectangle (rows r0..r1, columns t0..t1 of the kernel); a chunk's positions are ordered by
/// that rectangle, cut into tiles (of six positions for 64-channel panels, twelve for 32), and each tile runs over the taps of the smallest rectangle
/// holding all of its rows' — for a row whose own rectangle is smaller, the extra taps read its
/// zero border and add nothing. So the zeros are skipped and nothing else changes: each output's
/// FMA chain still takes its nonzero terms in the same order, and the sum is bit for bit the same.
/// A rectangle's taps are a table of (input offset, weight offset) pairs for one block of input
/// channels, read with the block's base pointers: <see cref="BlockChannels"/> channels,
/// channel-major, as the weights are packed.
/// A tiling depends on the layer's geometry alone, not on its data, and building one took 7–21 µs
/// (2–4 % of a 32-channel 14×14 conv, on the calling thread before the team starts), so the last
/// few are kept (<see cref="For"/>); they are immutable and shared by every caller.
/// </summary>
internal sealed class LaneTiling
{
    private const int Kept = 32;
    private static readonly RecentlyBuilt<Key, LaneTiling> recent = new(Kept);

    private readonly record struct Key(Conv2dShape Geometry, int Images, int ImageFloats, int BlockTaps, int Lanes, bool FlippedWeights);

    private readonly int[] rows, slots, tileStart, tileLength;
    private readonly long[] pairs;

    /// <summary>
    /// The tiling of a chunk of <paramref name="images"/> images of <paramref name="s"/>'s geometry (its
    /// N and Cout do not matter beyond the panel width), built or taken from the last <see cref="Kept"/> used.
    /// </summary>
    /// <param name="imageFloats">Floats of one padded input image (the chunk's images follow each other).</param>
    /// <param name="blockTaps">Taps a reduction block may have: <see cref="BlockChannels"/> is at most blockTaps / (KH·KW) (at least 1), the channels split evenly.</param>
    /// <param name="lanes">Output channels a weight panel (64, 48, 40, 32, 24 or 16): the weight offsets are in panel rows of this many floats.</param>
    /// <param name="flippedWeights">Whether tap (r, t) multiplies the panel's weights of tap (KH − 1 − r, KW − 1 − t):
    /// a data gradient run on a conv's own weights, packed unflipped.</param>
    public static LaneTiling For(in Conv2dShape s, int images, int imageFloats, int blockTaps, int lanes, bool flippedWeights = false)
    {
        var key = new Key(s with { N = 1, Cout = lanes }, images, imageFloats, blockTaps, lanes, flippedWeights);
        return recent.Get(key, (Shape: s, images, imageFloats, blockTaps, lanes, flippedWeights),
                          a => new LaneTiling(a.Shape, a.images, a.imageFloats, a.blockTaps, a.lanes, a.flippedWeights));
    }

    private LaneTiling(in Conv2dShape s, int images, int imageFloats, int blockTaps, int lanes, bool flippedWeights)
    {
        MR = Avx512LaneKernel.Rows(lanes);
        int p = s.OutH * s.OutW, positions = images * p, hp = s.H + 2 * s.PadH, wp = s.W + 2 * s.PadW;
        BlockChannels = BlockChannelsFor(s.Cin, s.KH * s.KW, blockTaps);
        Tiles = (positions + MR - 1) / MR;
        rows = new int[Tiles * MR];
        slots = new int[Tiles * MR];
        var rects = new List<(int R0, int R1, int T0, int T1)>();
        int RectIndex((int R0, int R1, int T0, int T1) rect)
        {
            int i = rects.IndexOf(rect);
            if (i >= 0) return i;
            rects.Add(rect);
            return rects.Count - 1;
        }

        // Each output pixel's rectangle of taps inside the image, and the pixels grouped by it.
        var pixelRect = new int[p];
        for (int q = 0; q < p; q++)
        {
            int oh = q / s.OutW, ow = q - oh * s.OutW, ih = oh * s.StrideH - s.PadH, iw = ow * s.StrideW - s.PadW;
            pixelRect[q] = RectIndex((Math.Max(0, -ih), Math.Clamp(s.H - ih, 0, s.KH), Math.Max(0, -iw), Math.Clamp(s.W - iw, 0, s.KW)));
        }
        // The groups in a chain, each next one the group whose rectangle adds least to the last one's,
        // starting from the smallest: a tile straddling two groups runs over their union, and a corner
        // next to its own edge costs that edge's taps (6 of 9), next to the opposite corner all 9.
        var order = new List<int>(rects.Count);
        var left = Enumerable.Range(0, rects.Count).ToList();
        int next = left.MinBy(i => Area(rects[i]));
        while (true)
        {
            order.Add(next);
            left.Remove(next);
            if (left.Count == 0) break;
            var last = rects[next];
            next = left.MinBy(i => (Area(Union(last, rects[i])), Area(rects[i]), i));
        }
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

        var tileRect = new int[Tiles];
        for (int t = 0; t < Tiles; t++)
        {
            var union = rects[pixelRect[slots[t * MR] % p]];
            for (int r = 1; r < MR && t * MR + r < positions; r++)
            {
                var other = rects[pixelRect[slots[t * MR + r] % p]];
                union = Union(union, other);
            }
            tileRect[t] = RectIndex(union);
        }

        // Each rectangle's (input offset, weight offset) pairs for one block of channels, channel-major.
        var start = new int[rects.Count + 1];
        for (int i = 0; i < rects.Count; i++) start[i + 1] = start[i] + BlockChannels * Area(rects[i]);
        pairs = new long[start[^1]];
        for (int i = 0; i < rects.Count; i++)
        {
            var (r0, r1, t0, t1) = rects[i];
            int e = start[i];
            for (int c = 0; c < BlockChannels; c++)
                for (int r = r0; r < r1; r++)
                    for (int t = t0; t < t1; t++)
                    {
                        int wr = flippedWeights ? s.KH - 1 - r : r, wt = flippedWeights ? s.KW - 1 - t : t;
                        long input = (long)c * hp * wp + r * wp + t, weight = ((long)c * s.KH * s.KW + wr * s.KW + wt) * lanes;
                        pairs[e++] = input | weight << 32;
                    }
        }
        tileStart = new int[Tiles];
        tileLength = new int[Tiles];
        for (int t = 0; t < Tiles; t++) (tileStart[t], tileLength[t]) = (start[tileRect[t]], Area(rects[tileRect[t]]));
    }

    /// <summary>
    /// Input channels a reduction block of at most <paramref name="blockTaps"/> taps, the channels split
    /// evenly: 64 channels at 56 a block would leave a block of 8, whose kernel calls are mostly
    /// loading and storing their accumulators.
    /// </summary>
    public static int BlockChannelsFor(int cin, int taps, int blockTaps)
    {
        int most = Math.Max(1, blockTaps / taps), blocks = (cin + most - 1) / most;
        return (cin + blocks - 1) / blocks;
    }

    /// <summary>Positions a tile.</summary>
    public int MR { get; }

    /// <summary>Input channels a reduction block: a tile's taps of these channels are one kernel call.</summary>
    public int BlockChannels { get; }

    public int Tiles { get; }

    /// <summary>Tile row i's receptive field: its top-left input in the padded chunk.</summary>
    public ReadOnlySpan<int> RowOffsets => rows;

    /// <summary>Tile row i's output position in the chunk (image · OutH·OutW + pixel): where its sums go.</summary>
    public ReadOnlySpan<int> Slots => slots;

    /// <summary>Tile <paramref name="tile"/>'s taps for a block of <paramref name="channels"/> (≤ BlockChannels) input channels.</summary>
    public ReadOnlySpan<long> Taps(int tile, int channels) => pairs.AsSpan(tileStart[tile], channels * tileLength[tile]);

    private static (int R0, int R1, int T0, int T1) Union((int R0, int R1, int T0, int T1) a, (int R0, int R1, int T0, int T1) b) =>
        (Math.Min(a.R0, b.R0), Math.Max(a.R1, b.R1), Math.Min(a.T0, b.T0), Math.Max(a.T1, b.T1));

    private static int Area((int R0, int R1, int T0, int T1) r) => Math.Max(0, r.R1 - r.R0) * Math.Max(0, r.T1 - r.T0);
}
