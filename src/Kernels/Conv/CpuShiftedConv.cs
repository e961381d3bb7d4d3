using System.Buffers;
using System.Runtime.CompilerServices;
using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The conv forward with no patch packing at all (the geometry is <see cref="ShiftedLayout"/>'s;
/// strided convs are split into stride phases first). For stride 1, the kept input channels of a
/// few images are stacked in one zero-bordered buffer whose rows are W + PadW wide, a single gap of zeros
/// serving as one row's right border and the next row's left, and likewise PadH zero rows between
/// images. In that layout the output positions q = row·(W + PadW) + column are "wide": each output
/// row has PadW junk columns, each image PadH junk rows. Then patch-matrix row (c, r, t) over 64
/// consecutive wide positions is the 64 buffer floats at q + c·plane + r·(W + PadW) + t, so the
/// micro-kernel (Avx512ShiftedKernel) reads its B operand in place through a table of K offsets.
/// Why: the packed path (CpuImplicitConv) copies K×64 floats per 64 pixels whatever the output
/// channel count, so a conv with few (kept) output channels spent a third of its time packing
/// (output-pruned 64→16 @32×32 ran at 0.6 of its ideal speed-up). The price is the junk positions'
/// FLOPs (6 % at 32×32, 11 % at 16×16 with images stacked), so <see cref="Prefers"/> weighs the two.
/// Results are bit-identical to the packed path: every output is one micro-kernel call over the full
/// K in the same order, and the bias is added once to the finished sum as the packed path's β = 1 does.
/// </summary>
internal static unsafe class CpuShiftedConv
{
    private const int MR = Avx512ShiftedKernel.MR, NR = Avx512ShiftedKernel.NR;

    /// <summary>
    /// Buffer bytes one group of stacked images may take (at least one image): small, so the group
    /// stays in L2 beside the outputs and residual its tiles stream through. Paired blocks of the
    /// ResNet-20 forward at batch 32 against 1 MB groups: 64 KB 0.96× dense and pruned alike (32 KB
    /// 0.96–0.99×, 16 KB 0.97–0.98×); ResNet-18, whose images are larger than that, 1.00×.
    /// </summary>
    private const long GroupBytes = 1 << 16;

    /// <summary>Groups per thread at least, for the threads to balance a call between them.</summary>
    private const int GroupsPerThread = 4;

    /// <summary>Whether the layout works: the 6×64 kernel, and (stride 1) borders no wider than the kernel's reach.</summary>
    public static bool Fits(in Conv2dShape s) => Avx512ShiftedKernel.IsSupported && ShiftedLayout.Fits(s);

    /// <summary>
    /// Whether this path is cheaper than packing for m output rows: the shifted path computes its
    /// junk positions, the packed one packs every tile and pads the last row panel.
    /// </summary>
    public static bool Prefers(in Conv2dShape s, int m, int keptIn)
    {
        if (!Fits(s)) return false;
        var layout = new ShiftedLayout(s, keptIn, GroupSize(s, keptIn));
        // In units of one 6-row micro-kernel pass over a 64-position tile. The shifted kernel's
        // last panel computes only its rows; the packed one pads it to six and packs each tile,
        // which costs about one pass plus a third per output-row segment in the tile (fitted to
        // the forms' times on 64 @32×32, 128 @16×16 and 256 @8×8 at 10–100 % kept outputs).
        double packCost = 1 + Math.Ceiling((double)NR / s.OutW) / 3;
        double shifted = (double)layout.Tiles * m / MR;
        double packed = (double)layout.Images * ((s.OutH * s.OutW + NR - 1) / NR) * ((m + MR - 1) / MR + packCost);
        return shifted < packed;
    }

    /// <summary>
    /// y[n, j] = Σ conv(x[n, inChannels[c]], w[outRows[j], inChannels[c]]) (+ bias[outRows[j]]);
    /// <paramref name="packedWeights"/> are the kept rows in 6-row micro-panels (CpuImplicitConv's layout), cut as <paramref name="panels"/> says.
    /// </summary>
    // This path and the helpers around the micro-kernels (stacking, packing, the tile writer, the row
    // copies, the small-image patches) are compiled fully optimized at once: under tiered PGO a thin
    // conv's glue still ran slower after hundreds of calls (11→9 @28×28 at batch 32: 224 against
    // 185 µs, the same as with tiering off), and a short measurement saw unoptimized code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(Conv2dShape s, float[] x, float[] packedWeights, RowPanels panels, float[]? bias, float[] y, int[]? inChannels, int[]? outRows,
                               CpuEpilogue epilogue = default)
    {
        int keptIn = inChannels?.Length ?? s.Cin, m = outRows?.Length ?? s.Cout, k = keptIn * s.KH * s.KW;
        int rowPanels = (m + MR - 1) / MR, groupSize = GroupSize(s, keptIn);
        var layout = new ShiftedLayout(s, keptIn, groupSize);
        int[] offsets = ArrayPool<int>.Shared.Rent(k);
        float[]? keptBias = bias is null ? null : Enumerable.Range(0, m).Select(j => bias[outRows is null ? j : outRows[j]]).ToArray();
        var scatter = ShiftedScatter.For(s, layout);
        try
        {
            layout.Offsets(s, offsets);
            if (s.N < WorkerTeam.Shared.Size)
            {
                ForwardByTiles(s, layout, x, packedWeights, panels, y, inChannels, m, rowPanels, k, offsets, keptBias, epilogue, scatter);
                return;
            }
            int threads = WorkerTeam.Shared.Size;
            var groups = new StealingRanges((s.N + groupSize - 1) / groupSize, threads);
            CpuConv.ForEachImage(threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (thread) =>
            {
                // Each thread its own run of groups, then what the others have not reached (a fixed
                // half each left the faster core waiting up to a fifth of a forward).
                float* stacked = AlignedScratch.Get(AlignedScratch.Slot.ConvImage, layout.Floats);
                float* tile = AlignedScratch.Get(AlignedScratch.Slot.ConvTile, (long)rowPanels * MR * NR);
                // Borders, gaps and slack are zeroed once per call: groups only overwrite image rows.
                // A short last group leaves the previous group's rows in the unused image slots,
                // which only junk positions read (an image's windows end in its own zero band).
                new Span<float>(stacked, checked((int)layout.Floats)).Clear();
                fixed (float* xp = x, yp = y, ap = packedWeights)
                fixed (int* op = offsets)
                    while (groups.TryTake(thread, out int g))
                    {
                        int n0 = g * groupSize, images = Math.Min(groupSize, s.N - n0);
                        layout.Stack(s, xp, n0, images, inChannels, stacked);
                        int positions = layout.PositionsFor(images);
                        for (int j0 = 0; j0 < positions; j0 += NR)
                        {
                            for (int ip = 0; ip < rowPanels; ip++)
                                Avx512ShiftedKernel.Run(panels.Rows(ip), k, ap + (long)ip * MR * k, stacked + j0, op, tile + panels.First(ip) * NR, NR);
                            scatter.Write(tile, j0, Math.Min(NR, positions - j0), yp, n0, m, keptBias, epilogue);
                        }
                    }
            });
        }
        finally
        {
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    /// <summary>
    /// Fewer images than threads (a batch of one at inference): the caller stacks each group and the
    /// team shares its 64-position tiles, so a single image still uses every core. Each output is
    /// still one micro-kernel call over the full K, so results equal the image-parallel form's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardByTiles(Conv2dShape s, ShiftedLayout layout, float[] x, float[] packedWeights, RowPanels panels, float[] y, int[]? inChannels,
                                       int m, int rowPanels, int k, int[] offsets, float[]? keptBias, CpuEpilogue epilogue, ShiftedScatter scatter)
    {
        float* stacked = AlignedScratch.Get(AlignedScratch.Slot.ConvImage, layout.Floats);
        new Span<float>(stacked, checked((int)layout.Floats)).Clear();
        fixed (float* xp = x, yp = y, ap = packedWeights)
        fixed (int* op = offsets)
        {
            // Fixed pointers cannot be captured by the job; the arrays stay pinned for its whole run.
            nint xa = (nint)xp, ya = (nint)yp, wa = (nint)ap, oa = (nint)op, sa = (nint)stacked;
            for (int n0 = 0; n0 < s.N; n0 += layout.Images)
            {
                int images = Math.Min(layout.Images, s.N - n0), positions = layout.PositionsFor(images), first = n0;
                layout.Stack(s, (float*)xa, n0, images, inChannels, (float*)sa);
                CpuConv.ForEachImage((positions + NR - 1) / NR, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
                {
                    float* tile = AlignedScratch.Get(AlignedScratch.Slot.ConvTile, (long)rowPanels * MR * NR);
                    int j0 = t * NR;
                    for (int ip = 0; ip < rowPanels; ip++)
                        Avx512ShiftedKernel.Run(panels.Rows(ip), k, (float*)wa + (long)ip * MR * k, (float*)sa + j0, (int*)oa, tile + panels.First(ip) * NR, NR);
                    scatter.Write(tile, j0, Math.Min(NR, positions - j0), (float*)ya, first, m, keptBias, epilogue);
                });
            }
        }
    }

    /// <summary>
    /// Images per stacked group: as many as fit GroupBytes, but at least GroupsPerThread groups a
    /// thread, so a thread the VM slows can hand groups over to the other — unless another count up
    /// to twice that wastes fewer of its last tile's positions (<see cref="FitTiles"/>).
    /// </summary>
    internal static int GroupSize(in Conv2dShape s, int keptIn, int threads = 0) => FitTiles(s, ImagesInBytes(s, keptIn), threads);

    /// <summary>Images of <paramref name="keptIn"/> channels that fit GroupBytes (at least one).</summary>
    internal static int ImagesInBytes(in Conv2dShape s, int keptIn) =>
        (int)Math.Max(1, GroupBytes / Math.Max(1, ShiftedLayout.ImageFloats(s, keptIn) * sizeof(float)));

    /// <summary>
    /// The group size for a byte budget of <paramref name="inBytes"/> images: that many (within the
    /// threads' share), or the count up to twice it that computes at least 2 % fewer 64-position
    /// tiles an image. Why: a group's last tile is computed whole, so a 14×14 output image (15 × 15
    /// wide positions) grouped by one computes 256 positions for its 196 outputs, by three 704 for
    /// 588, by two or four 1.14× — on top of the junk columns and rows, 30 % and 20 % against 14 %.
    /// The extracted PASS ResNet-20's stage-2 convs (19 to 23 channels) were grouped by one and three;
    /// by two (batch 32, Zen 4, the two rules alternated in one process) its 28 → 14 px pair 13→19→23
    /// ran 0.566 → 0.513 ms, 23→12→23 0.384 → 0.350, 19→23 alone 0.304 → 0.278 (23→11→23 1.02×).
    /// </summary>
    /// <param name="threads">The team's size (0: the shared team's).</param>
    internal static int FitTiles(in Conv2dShape s, int inBytes, int threads = 0)
    {
        int groups = GroupsPerThread * (threads > 0 ? threads : WorkerTeam.Shared.Size), share = (s.N + groups - 1) / groups;
        int best = Math.Clamp(inBytes, 1, Math.Max(1, share)), most = Math.Clamp(2 * inBytes, 1, Math.Max(1, share));
        var layout = new ShiftedLayout(s, 1, 1);
        long Tiles(int images) => (layout.PositionsFor(images) + NR - 1) / NR;
        for (int images = 1; images <= most; images++)
            if (Tiles(images) * best * 50 < Tiles(best) * images * 49)
                best = images;
        return best;
    }
}
