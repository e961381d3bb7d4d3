using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Gemm;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The conv forward with output channels in the vector lanes (<see cref="Avx512LaneKernel"/>), for
/// layers over images up to 28×28 — ResNet-18's stages, ResNet-20's 32- and 64-channel ones. Why:
/// there the shifted form computes junk positions (7×7 outputs in 64-wide tiles: 23 %) and the
/// batched GEMM copies every patch into a patch matrix and again into its panels; here each
/// micro-tile's positions (6, 12 or 24) read the zero-bordered images in place, any outputs of a
/// chunk of images, so there is neither junk nor a patch copy. The weights are packed once per
/// call, 64, 32 or 16 output channels a panel ([K][width], K = Cin·KH·KW; <see cref="Panels"/>), and
/// each chunk's images padded by the thread that reads them. Work: items of (a chunk of images, a
/// panel), dealt to the team (own range first); an item runs the reduction in blocks of about
/// <see cref="KC"/> taps (whole input channels) over every tile of its chunk, so a block's weights
/// (128 KB) stay in L2 while the tiles stream past them, and the chunk's sums ([positions][width])
/// are then written to NCHW 8×8 block by block, with bias and epilogue. The tiles group border positions, whose taps into the padding are skipped
/// (<see cref="LaneTiling"/>: 31 % of a 4×4 output's, 18 % of a 7×7's).
/// Results are bit-identical to the shifted path (one FMA chain per output over its nonzero taps
/// in order, blocks continuing it from memory; then + bias, + residual, ReLU).
/// </summary>
internal static unsafe class CpuLaneConv
{
    /// <summary>
    /// A panel of output channels: channels First … First + Used − 1, packed Width wide (64, 48, 40,
    /// 32, 24 or 16 lanes: 6, 8, 8, 12, 12 or 24 positions a tile), the lanes past Used zero; its weights at Packed.
    /// </summary>
    internal readonly record struct Panel(int First, int Width, int Used, long Packed);

    /// <summary>
    /// The output channels as panels: 64 wide while more than 56 remain, then the fewest panels that
    /// cover the rest to the next multiple of 8 — 32 + 24 for 49–56, one 48, 40, 32, 24 or 16 below —
    /// the last panel zero-padded: a pruned layer's 40 channels compute no idle lane, 35 five, 29
    /// three, 23 one. One 40- or 48-lane panel rather than 24 + 16 or 32 + 16 (as until 2026-12-06):
    /// each input is broadcast once for all the channels instead of once a panel, and the conv ran
    /// 6–7 % faster on two threads, 14–15 % on one (32→40, 35→40, 40→40 and 40→35 at 7×7, batch 32,
    /// Zen 4); 48 lanes 6 % on two threads, 8 % on one (33→42, 30→42, 32→48, 26→48).
    /// </summary>
    internal static Panel[] Panels(int cout, int patch)
    {
        var panels = new Panel[Cover(cout).Count];
        long packed = 0;
        for (int i = 0, first = 0; first < cout; i++)
        {
            int width = Width(cout - first);
            panels[i] = new Panel(first, width, Math.Min(width, cout - first), packed);
            packed += (long)width * patch;
            first += width;
        }
        return panels;
    }

    private static int Width(int left) => left > 56 ? 64 : left > 48 ? 32 : left > 40 ? 48 : left > 32 ? 40 : left > 24 ? 32 : left > 16 ? 24 : 16;

    /// <summary>How many panels cover <paramref name="cout"/> channels, and the lanes they compute (idle ones included).</summary>
    private static (int Count, int Lanes) Cover(int cout)
    {
        int count = 0, lanes = 0;
        for (int first = 0; first < cout; first += Width(cout - first)) (count, lanes) = (count + 1, lanes + Width(cout - first));
        return (count, lanes);
    }

    /// <summary>Taps a reduction block at most: a 512×64 weight block is 128 KB.</summary>
    private const int KC = 512;

    /// <summary>Output positions a chunk of images aims for: each weight block is read from L2 once per ~85 tiles.</summary>
    private const int ChunkPositions = 512;

    /// <summary>Whether this form can run: AVX-512 and at least 8 outputs an image (the 8×8 write-out).</summary>
    public static bool Fits(in Conv2dShape s) => Avx512LaneKernel.IsSupported && s.OutH * s.OutW >= 8;

    /// <summary>
    /// Where it is the fastest form (single convs at batch 32 against the shifted form, Zen 4): an item
    /// for every thread, and
    /// <list type="bullet">
    /// <item>outputs up to 8×8, where the shifted form computes 23 % junk: no idle lane, or at least 24
    /// lanes and under a quarter of them idle (with the 40-lane panel, at 7×7: 40 → 33 as 40 0.242
    /// against 0.268 ms, 64 → 26 as 32 0.297 against 0.342, 40 → 25 0.186 against 0.204, 40 → 20 as
    /// 24 0.160 against 0.167, 40 → 16 0.109 against 0.129; 17 and 18 as 24 and 13 as 16 slower);</item>
    /// <item>up to 16×16: at least 32 lanes and at most a tenth idle (40 at 14×14: 0.553 against 0.629
    /// ms; 29 as 32 faster; 35 as 40 even or 9 % slower, 19 or 23 as 32 slower, 23 as 24 even);</item>
    /// <item>strided: at least 32 lanes and under a quarter idle (26 as 32 from 28×28 0.314 against 0.344
    /// ms, from 14×14 0.121 against 0.142; 21–23 as 32 slower, 0.28 against 0.23–0.24 from 28×28; 24 as
    /// 32 and 36 as 48 even or slower);</item>
    /// <item>up to 28×28 in whole 32-channel panels (64 → 64: 8.6 against 9.1 ms; 16 → 16 slightly slower).</item>
    /// </list>
    /// The shifted form's junk columns and rows cost more the smaller the image, the lane form's idle
    /// lanes the fewer the channels.
    /// </summary>
    public static bool Prefers(in Conv2dShape s)
    {
        int p = s.OutH * s.OutW, lanes = Cover(s.Cout).Lanes, idle = lanes - s.Cout;
        if (!Fits(s) || Items(s) < WorkerTeam.Shared.Size) return false;
        if (p > 16 * 16) return p <= 28 * 28 && s.Cout % 32 == 0;
        if (s.StrideH > 1 || s.StrideW > 1) return lanes >= 32 && 4 * idle < lanes;
        if (p <= 8 * 8) return idle == 0 || lanes >= 24 && 4 * idle < lanes;
        return lanes >= 32 && 10 * idle <= lanes;
    }

    /// <summary>
    /// Images a chunk: about <see cref="ChunkPositions"/> outputs; where there are few panels, also no
    /// more than keep one reduction block of their inputs within 256 KB (strided convs read four times
    /// the input an output) and few enough that the team gets two items a thread to balance
    /// (ResNet-20's 64 @7×7 has one panel). Two rather than four (until 2026-12-06): each item pads its
    /// chunk and opens its panel's weights anew, and the larger chunks ran one-panel convs at 7×7 and
    /// 4×4 5 % faster (40→40, 32→40, 40→29, 32→26, 64 @4×4; batch 32, alternated in one process).
    /// </summary>
    private static int ChunkImages(in Conv2dShape s)
    {
        int panels = Cover(s.Cout).Count;
        int byPositions = (ChunkPositions + s.OutH * s.OutW - 1) / (s.OutH * s.OutW);
        // With panels enough for four items a thread, as many images as the positions allow: each item
        // reads its panel's weights once, and over 4×4 outputs the weights are the traffic (a
        // 512-channel panel is 1.2 MB for 16 positions an image) — one chunk of 32 images ran
        // 512 @4×4 and 256→512 s2 12–16 % faster than two of 16, though each thread then pads all 32.
        if (panels >= 4 * WorkerTeam.Shared.Size) return Math.Clamp(byPositions, 1, s.N);
        long blockFloats = (long)LaneTiling.BlockChannelsFor(s.Cin, s.KH * s.KW, KC) * (s.H + 2 * s.PadH) * (s.W + 2 * s.PadW);
        int byInput = (int)Math.Max(1, (1 << 16) / blockFloats);
        int chunksWanted = Math.Max(WorkerTeam.Shared.Size, (2 * WorkerTeam.Shared.Size + panels - 1) / panels);
        int byBalance = Math.Max(1, s.N / chunksWanted);
        int images = Math.Clamp(Math.Min(byPositions, Math.Min(byInput, byBalance)), 1, s.N);
        // A whole number of chunks a thread, so each thread's own items cover whole chunks (each padded once).
        int team = WorkerTeam.Shared.Size, chunks = (s.N + images - 1) / images;
        if (chunks % team != 0) images = Math.Max(1, (s.N + chunks + team - chunks % team - 1) / (chunks + team - chunks % team));
        return images;
    }

    private static int Items(in Conv2dShape s)
    {
        int images = ChunkImages(s);
        return (s.N + images - 1) / images * Cover(s.Cout).Count;
    }

    /// <summary>
    /// y = conv(x, w) (+ bias), then the epilogue; every channel, dense weights — each output channel's
    /// weights multiplied by weightScale[co] as they are packed when a scale is given.
    /// </summary>
    public static void Forward(in Conv2dShape s, float[] x, float[] w, float[]? bias, float[] y, CpuEpilogue epilogue, float[]? weightScale = null)
    {
        if (!Fits(s)) throw new ArgumentException($"conv2d forward: the lane form needs AVX-512 and at least 8 outputs an image, not {s}");
        Run(s, x, w, bias, y, epilogue, weightScale, transposed: false);
    }

    /// <summary>
    /// dx = the data gradient of the stride-1 conv <paramref name="conv"/> with weights w, run as the
    /// forward of its transposed conv (<see cref="CpuConv.TransposedForward"/>, which must fit) on w
    /// as it is: the panels are packed from w's [Cout][Cin] layout read across, and the tiles' tap
    /// tables take each tap's weights from the spatially opposite tap — no flipped copy of the
    /// weights is made (for 512 → 512 channels at 4×4 that copy, 9.4 MB written and read again,
    /// made the data gradient 12.3 ms against 11.9). Bit for bit the forward of the flipped,
    /// transposed weights.
    /// </summary>
    public static void DataGradient(in Conv2dShape conv, float[] dy, float[] w, float[] dx)
    {
        var t = CpuConv.TransposedForward(conv) ?? throw new ArgumentException($"conv2d data gradient: the lane form runs stride-1 convs with borders within the kernel, not {conv}");
        if (!Fits(t)) throw new ArgumentException($"conv2d data gradient: the lane form needs AVX-512 and at least 8 outputs an image, not {conv}");
        Run(t, dy, w, null, dx, default, null, transposed: true);
    }

    /// <param name="transposed">
    /// w holds the weights of the conv whose data gradient this is, [s.Cin][s.Cout][KH][KW]: output
    /// channel j's taps of input channel c are w[(c·Cout + j)·KH·KW …], spatially flipped.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(in Conv2dShape s, float[] x, float[] w, float[]? bias, float[] y, CpuEpilogue epilogue, float[]? weightScale, bool transposed)
    {
        var shape = s;
        int k = s.PatchSize, p = s.OutH * s.OutW;
        var layout = Panels(s.Cout, k);
        int panels = layout.Length;
        int hp = s.H + 2 * s.PadH, wp = s.W + 2 * s.PadW, imageFloats = s.Cin * hp * wp, inPlane = s.Cin * s.H * s.W;
        // Unpadded convs (the 1×1 shortcuts) read x as it is.
        bool pads = s.PadH > 0 || s.PadW > 0;
        int chunkImages = ChunkImages(s), chunks = (s.N + chunkImages - 1) / chunkImages;
        float[] packed = ArrayPool<float>.Shared.Rent((int)(layout[^1].Packed + (long)layout[^1].Width * k));
        long call = Interlocked.Increment(ref calls);
        int lastImages = s.N - (chunks - 1) * chunkImages;
        // Per panel width (WidthIndex), the full chunks' tiling and the last chunk's.
        var tilings = new LaneTiling?[6, 2];
        foreach (var panel in layout)
        {
            int wi = WidthIndex(panel.Width);
            tilings[wi, 0] ??= LaneTiling.For(s, chunkImages, imageFloats, KC, panel.Width, transposed);
            tilings[wi, 1] ??= LaneTiling.For(s, lastImages, imageFloats, KC, panel.Width, transposed);
        }
        try
        {
            var ready = new PanelGate(panels);
            CpuConv.ForEachImage(chunks * panels, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (item) =>
            {
                int chunk = item / panels, panel = item % panels, first = chunk * chunkImages;
                var (from, nr, used, at0) = layout[panel];
                if (ready.Claim(panel))
                {
                    try
                    {
                        fixed (float* wt = w, pk = packed, scale = weightScale)
                        {
                            if (transposed) PackTransposed(shape, wt, from, used, nr, pk + at0);
                            else
                                for (int g = 0; g < nr; g += 8)
                                    PanelTranspose.Rows(wt + (long)(from + Math.Min(g, used)) * k, k, Math.Clamp(used - g, 0, 8), k, pk + at0 + g, nr,
                                                        scale is null ? null : scale + from + Math.Min(g, used));
                        }
                    }
                    finally
                    {
                        ready.Open(panel);   // never leave a waiting thread spinning, even on a fault
                    }
                }
                int count = Math.Min(chunkImages, shape.N - first), positions = count * p;
                var tiles = tilings[WidthIndex(nr), count == chunkImages ? 0 : 1]!;
                float* sums = AlignedScratch.Get(AlignedScratch.Slot.ConvTile, (long)positions * nr);
                int taps = shape.KH * shape.KW, plane = hp * wp;
                fixed (float* xp = x, pk = packed, yp = y, res = epilogue.Residual, bp = bias)
                fixed (int* rows = tiles.RowOffsets, slots = tiles.Slots)
                {
                    float* xb = pads ? PaddedChunk(shape, xp, call, chunk, first, count, chunkImages, imageFloats) : xp + (long)first * inPlane;
                    float* wPanel = pk + at0;
                    for (int c0 = 0; c0 < shape.Cin; c0 += tiles.BlockChannels)
                    {
                        int channels = Math.Min(tiles.BlockChannels, shape.Cin - c0);
                        float* wBlock = wPanel + (long)c0 * taps * nr, xBlock = xb + (long)c0 * plane;
                        for (int t = 0; t < tiles.Tiles; t++)
                        {
                            var tileTaps = tiles.Taps(t, channels);
                            int at = t * tiles.MR;
                            fixed (long* tp = tileTaps)
                            {
                                Avx512LaneKernel.Run(nr, tileTaps.Length, wBlock, tp, xBlock, rows + at, sums, slots + at, c0 > 0);
                            }
                        }
                    }
                    for (int i = 0; i < count; i++)
                    {
                        long o = ((long)(first + i) * shape.Cout + from) * p;
                        WriteImage(sums + (long)i * p * nr, p, nr, used, yp + o, bp is null ? null : bp + from, res is null ? null : res + o,
                                   epilogue.Relu, bias is not null || !epilogue.IsNone);
                    }
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
        }
    }

    /// <summary>
    /// A panel of output channels from … from + used − 1 (nr lanes) of the transposed conv s, from the
    /// original conv's weights w[s.Cin][s.Cout][taps]: for each input channel c, its taps of the panel's
    /// channels are one [used][taps] block of w, transposed into [taps][nr] (unflipped — the tap tables flip).
    /// </summary>
    private static void PackTransposed(in Conv2dShape s, float* w, int from, int used, int nr, float* panel)
    {
        int taps = s.KH * s.KW;
        for (int c = 0; c < s.Cin; c++)
            for (int g = 0; g < nr; g += 8)
                PanelTranspose.Rows(w + ((long)c * s.Cout + from + Math.Min(g, used)) * taps, taps, Math.Clamp(used - g, 0, 8), taps,
                                    panel + (long)c * taps * nr + g, nr);
    }

    private static int WidthIndex(int width) => width switch { 64 => 0, 32 => 1, 24 => 2, 16 => 3, 40 => 4, 48 => 5, _ => throw new ArgumentOutOfRangeException(nameof(width), width, "a lane panel is 64, 48, 40, 32, 24 or 16 wide") };

    private static long calls;
    [ThreadStatic] private static long t_call;
    [ThreadStatic] private static int t_chunk;

    /// <summary>
    /// The chunk's images with their zero borders, in this thread's scratch: padded by the first of
    /// the chunk's items the thread runs, kept for its next ones (items are chunk-major). Why per
    /// thread: padded up front by the team into one shared buffer, the copies went out to memory and
    /// came back (a stride-2 layer's pad took 10–17 % of its conv); here they are made where they are read.
    /// </summary>
    private static float* PaddedChunk(in Conv2dShape s, float* x, long call, int chunk, int first, int count, int chunkImages, int imageFloats)
    {
        float* images = AlignedScratch.Get(AlignedScratch.Slot.ConvImage, (long)chunkImages * imageFloats);
        if (t_call == call && t_chunk == chunk) return images;
        long inPlane = (long)s.Cin * s.H * s.W;
        for (int i = 0; i < count; i++) CpuImplicitConv.PadImage(s, x + (first + i) * inPlane, null, s.Cin, images + (long)i * imageFloats);
        (t_call, t_chunk) = (call, chunk);
        return images;
    }

    /// <summary>
    /// Each weight panel packed by the first item that needs it, the others waiting for it. Why: packed
    /// up front by the team, a 512-channel layer's 9.4 MB of weights took 0.7 ms of memory traffic
    /// (10 % of the 4×4 conv, bound by memory, not by the threads); packed by the item that first
    /// needs it, a panel's packing overlaps the other thread's arithmetic. Items stay chunk-major (a
    /// chunk's inputs stay in L2 across its panels: panel-major was 5–10 % slower at 7×7 and 14×14).
    /// </summary>
    private sealed class PanelGate(int panels)
    {
        private const int Unpacked = 0, Packing = 1, Ready = 2;
        private readonly int[] state = new int[panels];

        /// <summary>True when the caller is to pack the panel (then <see cref="Open"/> it); otherwise returns once it is packed.</summary>
        public bool Claim(int panel)
        {
            if (Volatile.Read(ref state[panel]) == Ready) return false;
            if (Interlocked.CompareExchange(ref state[panel], Packing, Unpacked) == Unpacked) return true;
            var spin = new SpinWait();
            while (Volatile.Read(ref state[panel]) != Ready) spin.SpinOnce(sleep1Threshold: -1);
            return false;
        }

        public void Open(int panel) => Volatile.Write(ref state[panel], Ready);
    }

    /// <summary>
    /// One image's sums [p][nr] to its first <paramref name="used"/> output rows y[j·p + q], then per row
    /// + bias (0 when missing but <paramref name="add"/>), + residual, ReLU — the shifted path's order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteImage(float* sums, int p, int nr, int used, float* y, float* bias, float* residual, bool relu, bool add)
    {
        int q0 = 0;
        for (; q0 + 8 <= p; q0 += 8) PanelTranspose.Rows(sums + (long)q0 * nr, nr, 8, used, y + q0, p);
        for (; q0 < p; q0++)
            for (int j = 0; j < used; j++) y[(long)j * p + q0] = sums[(long)q0 * nr + j];
        if (!add && residual is null && !relu) return;
        for (int j = 0; j < used; j++)
        {
            float* row = y + (long)j * p, rrow = residual is null ? null : residual + (long)j * p;
            var b = Vector512.Create(bias is null ? 0f : bias[j]);
            for (int q = 0; q < p; q += 16)
            {
                var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(p - q)).AsSingle();
                var v = Avx512F.MaskLoad(row + q, mask, Vector512<float>.Zero);
                if (add) v += b;
                if (rrow is not null) v += Avx512F.MaskLoad(rrow + q, mask, Vector512<float>.Zero);
                if (relu) v = Vector512.Max(v, Vector512<float>.Zero);
                Avx512F.MaskStore(row + q, mask, v);
            }
        }
    }
}
