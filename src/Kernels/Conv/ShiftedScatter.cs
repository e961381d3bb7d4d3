using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The shifted conv's tile writer: a tile's rows (output channels over 64 wide positions) to NCHW,
/// with the bias and epilogue applied on the way. The real positions among consecutive wide ones
/// are consecutive outputs of one image (junk columns and rows only interrupt them), so each
/// 16-lane vector of a tile row is compressed in a register — junk lanes dropped — and written with
/// one masked store; a vector that crosses into the next image is split in two. Why: the run-by-run
/// copy stepped 8 floats at a time through each output row's run with a scalar tail (7 of 7 floats
/// at 7×7, 6 of 14, 4 of 28) and took 15–30 % of a thin conv's time.
/// Bit-identical to the run-by-run form: the same (tile + bias) + residual, then max(·, 0).
/// Which lanes are real, and where each lands, depends only on the position modulo one image's
/// wide positions, so it is tabulated once per call over one image period plus a tile; and since
/// every full group of stacked images has the same tiles, each of those tiles' list of pieces is
/// made once too (building it per tile cost ~40 ns, as much as writing five rows).
/// The tables depend on the geometry alone and building them took 3–6 µs on the calling thread
/// before the team starts — a pruned network's thin conv pair runs in 300–500 µs, so the last few
/// are kept (<see cref="For"/>): immutable after construction and shared by every caller, in pinned
/// arrays (read by pointer from every team thread) that the GC frees once no caller holds them.
/// </summary>
internal sealed unsafe class ShiftedScatter
{
    private const int Lanes = 16, NR = Avx512ShiftedKernel.NR;

    /// <summary>Wide positions a group may have for its pieces to be tabulated (64 tiles: ResNet-20 and -18 at 28 px all fit).</summary>
    private const int MaxTablePositions = 64 * NR;

    private const int Kept = 32;
    private static readonly RecentlyBuilt<Key, ShiftedScatter> recent = new(Kept);

    private readonly record struct Key(int OutH, int OutW, int RowStride, int ImageRows, int Images);

    private readonly int period, outPlane, maxPieces, groupPositions, groupTiles;
    // real[q] = −1 where wide position q is a real output, else 0, over a full group and a tile past it
    // (at least a period and a tile); image[q] = q / period and before[q] = the real positions of q's
    // image before q (q's output index when it is real), over [0, period + NR).
    private readonly int[] realArray, imageArray, beforeArray, groupCountArray;
    private readonly int* real, image, before;
    // The pieces of a full group's tile t: maxPieces slots from t·maxPieces, groupCount[t] of them used.
    private readonly PieceTable group;
    private readonly int* groupCount;

    /// <summary>The tables for <paramref name="s"/>'s outputs in <paramref name="layout"/>, built or taken from the last <see cref="Kept"/> used.</summary>
    public static ShiftedScatter For(in Conv2dShape s, in ShiftedLayout layout)
    {
        var key = new Key(s.OutH, s.OutW, layout.RowStride, layout.ImageRows, layout.Images);
        return recent.Get(key, (Shape: s, Layout: layout), a => new ShiftedScatter(a.Shape, a.Layout));
    }

    /// <summary>
    /// −1 at the wide positions of a full group (and a tile past it) that are real outputs, 0 at junk
    /// ones: the mask a fused pair hands its first conv's tiles through.
    /// </summary>
    public int* Real => real;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ShiftedScatter(in Conv2dShape s, in ShiftedLayout layout)
    {
        period = layout.ImageRows * layout.RowStride;
        outPlane = s.OutH * s.OutW;
        // A vector's 16 lanes meet at most ⌊15 / period⌋ + 2 images (two once an image has 16 wide positions or more).
        maxPieces = NR / Lanes * Math.Min(Lanes, (Lanes - 1) / period + 2);
        groupPositions = layout.PositionsFor(layout.Images);
        int length = period + NR, realLength = Math.Max(period, groupPositions) + NR;
        realArray = GC.AllocateArray<int>(realLength, pinned: true);
        imageArray = GC.AllocateArray<int>(length, pinned: true);
        beforeArray = GC.AllocateArray<int>(length, pinned: true);
        real = (int*)Unsafe.AsPointer(ref realArray[0]);
        image = (int*)Unsafe.AsPointer(ref imageArray[0]);
        before = (int*)Unsafe.AsPointer(ref beforeArray[0]);
        // One image's period, walked row by row (no division per position), then repeated past it.
        for (int row = 0, q = 0, count = 0; row < layout.ImageRows; row++)
            for (int column = 0; column < layout.RowStride; column++, q++)
            {
                bool isReal = row < s.OutH && column < s.OutW;
                (real[q], image[q], before[q]) = (isReal ? -1 : 0, 0, count);
                if (isReal) count++;
            }
        for (int q = period; q < length; q++)
            (image[q], before[q]) = (image[q - period] + 1, before[q - period]);
        for (int q = period; q < realLength; q++)
            real[q] = real[q - period];
        // Large images (a group of hundreds of tiles) keep building each tile's pieces as it comes:
        // a table that size would be built on the caller alone.
        groupTiles = groupPositions <= MaxTablePositions ? (groupPositions + NR - 1) / NR : 0;
        group = PieceTable.Alloc(groupTiles * maxPieces);
        groupCountArray = GC.AllocateArray<int>(Math.Max(1, groupTiles), pinned: true);
        groupCount = (int*)Unsafe.AsPointer(ref groupCountArray[0]);
        for (int t = 0; t < groupTiles; t++)
            groupCount[t] = Build(t * NR, Math.Min(NR, groupPositions - t * NR), group.At(t * maxPieces));
    }

    /// <summary>
    /// Wide positions j0 … j0 + cols − 1 of a group whose first image is n0: row j of the tile (NR
    /// floats apart) to y[n, j] for m output channels, + bias[j], then the epilogue.
    /// </summary>
    // SkipLocalsInit: a tile outside the full group's table builds its pieces on the stack, written before they are read,
    // so the stack need not be zeroed each time (up to 9 KB for images of a few wide positions).
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    public void Write(float* tile, int j0, int cols, float* y, int n0, int m, float[]? bias, in CpuEpilogue epilogue)
    {
        int t = j0 / NR;
        PieceTable pieces;
        int count;
        if (j0 % NR == 0 && t < groupTiles && cols == Math.Min(NR, groupPositions - j0))
            (pieces, count) = (group.At(t * maxPieces), groupCount[t]);
        else
        {
            // A short last group's last tile (or a tile of the one-image-at-a-time form): its own pieces.
            var compress = stackalloc Vector512<float>[maxPieces];
            var store = stackalloc Vector512<float>[maxPieces];
            int* ints = stackalloc int[3 * maxPieces];
            pieces = new PieceTable(compress, store, ints, ints + maxPieces, ints + 2 * maxPieces);
            count = Build(j0, cols, pieces);
        }
        bool tail = !epilogue.IsNone;
        // As the run-by-run form did: with an epilogue a missing bias is added as 0 (−0 becomes +0).
        float* zeros = stackalloc float[bias is null && tail ? m : 0];
        if (bias is null && tail) new Span<float>(zeros, m).Clear();
        var target = new Target(tile, y, (long)n0 * m * outPlane, (long)m * outPlane, outPlane, m);
        fixed (float* biasp = bias, residual = epilogue.Residual)
        {
            float* add = biasp is null ? zeros : biasp;
            if (!tail)
            {
                if (bias is null) Rows<No, No, No>(pieces, count, target, null, null);
                else Rows<Yes, No, No>(pieces, count, target, add, null);
            }
            else if (residual is null) Rows<Yes, No, Yes>(pieces, count, target, add, null);
            else if (epilogue.Relu) Rows<Yes, Yes, Yes>(pieces, count, target, add, residual);
            else Rows<Yes, Yes, No>(pieces, count, target, add, residual);
        }
    }

    /// <summary>
    /// The pieces of wide positions j0 … j0 + cols − 1 (relative to a group's first image): a
    /// vector's lanes of one image, its compress and store masks, which vector of the tile, which
    /// image of the group and its first output there. Returns how many.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Build(int j0, int cols, PieceTable pieces)
    {
        int count = 0, first = j0 / period, b = j0 - first * period;
        var lane = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        for (int c = 0; c * Lanes < cols; c++)
        {
            int q = b + c * Lanes;
            var inTile = Vector512.LessThan(lane, Vector512.Create(cols - c * Lanes));
            var isReal = Vector512.Load(real + q) & inTile;
            var imageOf = Vector512.Load(image + q);
            for (int g = image[q]; g <= image[q + Lanes - 1]; g++)
            {
                var mask = isReal & Vector512.Equals(imageOf, Vector512.Create(g));
                int lanes = BitOperations.PopCount(mask.ExtractMostSignificantBits());
                if (lanes == 0) continue;
                pieces.Compress[count] = mask.AsSingle();
                pieces.Store[count] = Vector512.LessThan(lane, Vector512.Create(lanes)).AsSingle();
                pieces.Vector[count] = c;
                pieces.Image[count] = first + g;
                pieces.Before[count] = before[Math.Max(q, g * period)];
                count++;
            }
        }
        return count;
    }

    /// <summary>
    /// Each piece's masks are loaded once and every output row written with them: compress, + bias,
    /// + residual, ReLU, masked store. Why this order and the type flags: with rows outside, pieces
    /// inside and the epilogue tested per vector, the JIT reloaded and converted both masks and
    /// branched three times per stored vector (a 16-channel tile took 200–240 ns to write, now ~130).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TBias, TResidual, TRelu>(PieceTable pieces, int count, Target target, float* bias, float* residual)
        where TBias : struct, IFlag where TResidual : struct, IFlag where TRelu : struct, IFlag
    {
        float* y = target.Y;
        long plane = target.OutPlane;
        int m = target.M;
        for (int i = 0; i < count; i++)
        {
            var compress = pieces.Compress[i];
            var store = pieces.Store[i];
            float* row = target.Tile + pieces.Vector[i] * Lanes;
            long at = target.First + pieces.Image[i] * target.ImageFloats + pieces.Before[i];
            for (int j = 0; j < m; j++, row += NR, at += plane)
            {
                var v = Avx512F.Compress(Vector512<float>.Zero, compress, Vector512.Load(row));
                if (TBias.On) v += Vector512.Create(bias[j]);
                if (TResidual.On) v += Avx512F.MaskLoad(residual + at, store, Vector512<float>.Zero);
                if (TRelu.On) v = Vector512.Max(v, Vector512<float>.Zero);
                Avx512F.MaskStore(y + at, store, v);
            }
        }
    }

    /// <summary>Where a tile's rows go: the tile, y, the group's first output (n0·m·outPlane), floats per image, per channel, channels.</summary>
    private readonly struct Target(float* tile, float* y, long first, long imageFloats, int outPlane, int m)
    {
        public readonly float* Tile = tile, Y = y;
        public readonly long First = first, ImageFloats = imageFloats;
        public readonly int OutPlane = outPlane, M = m;
    }

    /// <summary>Parallel arrays of pieces (pinned arrays, or stack memory).</summary>
    private readonly struct PieceTable(Vector512<float>* compress, Vector512<float>* store, int* vector, int* image, int* before, object? owner = null)
    {
        public readonly Vector512<float>* Compress = compress, Store = store;
        public readonly int* Vector = vector, Image = image, Before = before;

        /// <summary>Holds the pinned arrays the pointers point into, for as long as the table is kept.</summary>
        private readonly object? owner = owner;

        public static PieceTable Alloc(int slots)
        {
            var masks = GC.AllocateArray<Vector512<float>>(Math.Max(1, 2 * slots), pinned: true);
            var ints = GC.AllocateArray<int>(Math.Max(1, 3 * slots), pinned: true);
            var m = (Vector512<float>*)Unsafe.AsPointer(ref masks[0]);
            var i = (int*)Unsafe.AsPointer(ref ints[0]);
            return new PieceTable(m, m + slots, i, i + slots, i + 2 * slots, (masks, ints));
        }

        public PieceTable At(int slot) => new(Compress + slot, Store + slot, Vector + slot, Image + slot, Before + slot, owner);
    }

    private interface IFlag
    {
        static abstract bool On { get; }
    }

    private readonly struct Yes : IFlag { public static bool On => true; }
    private readonly struct No : IFlag { public static bool On => false; }
}
