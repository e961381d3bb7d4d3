using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// wide positions, so it is tabulated once per call over one image period plus a tile.
/// </summary>
internal sealed unsafe class ShiftedScatter : IDisposable
{
    private const int Lanes = 16, NR = Avx512ShiftedKernel.NR;

    private readonly int period, outPlane, maxPieces;
    // Over [0, period + NR): real[q] = −1 where wide position q is a real output, else 0; image[q] = q / period;
    // before[q] = the real positions of q's image before q (q's output index when it is real).
    private readonly int* real, image, before;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ShiftedScatter(in Conv2dShape s, in ShiftedLayout layout)
    {
        period = layout.ImageRows * layout.RowStride;
        outPlane = s.OutH * s.OutW;
        // A vector's 16 lanes meet at most ⌊15 / period⌋ + 2 images (two once an image has 16 wide positions or more).
        maxPieces = NR / Lanes * Math.Min(Lanes, (Lanes - 1) / period + 2);
        int length = period + NR;
        // Native memory: the vector loads read the tables by pointer from every team thread.
        real = (int*)NativeMemory.Alloc((nuint)length * 3, sizeof(int));
        image = real + length;
        before = image + length;
        // One image's period, walked row by row (no division per position), then repeated for the tile past it.
        for (int row = 0, q = 0, count = 0; row < layout.ImageRows; row++)
            for (int column = 0; column < layout.RowStride; column++, q++)
            {
                bool isReal = row < s.OutH && column < s.OutW;
                (real[q], image[q], before[q]) = (isReal ? -1 : 0, 0, count);
                if (isReal) count++;
            }
        for (int q = period; q < length; q++)
            (real[q], image[q], before[q]) = (real[q - period], image[q - period] + 1, before[q - period]);
    }

    /// <summary>
    /// Wide positions j0 … j0 + cols − 1 of a group whose first image is n0: row j of the tile (NR
    /// floats apart) to y[n, j] for m output channels, + bias[j], then the epilogue.
    /// </summary>
    // SkipLocalsInit: this runs once per tile, and its piece tables are written before they are read,
    // so the stack need not be zeroed each time (up to 9 KB for images of a few wide positions).
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    public void Write(float* tile, int j0, int cols, float* y, int n0, int m, float[]? bias, in CpuEpilogue epilogue)
    {
        // The pieces of this tile: a vector's lanes of one image, where they go and how many.
        var compress = stackalloc Vector512<float>[maxPieces];
        var store = stackalloc Vector512<float>[maxPieces];
        int* vector = stackalloc int[maxPieces];
        long* target = stackalloc long[maxPieces];
        int pieces = 0, first = j0 / period, b = j0 - first * period;
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
                int count = BitOperations.PopCount(mask.ExtractMostSignificantBits());
                if (count == 0) continue;
                int start = Math.Max(q, g * period);
                compress[pieces] = mask.AsSingle();
                store[pieces] = Vector512.LessThan(lane, Vector512.Create(count)).AsSingle();
                vector[pieces] = c;
                target[pieces] = (long)(n0 + first + g) * m * outPlane + before[start];
                pieces++;
            }
        }
        bool relu = epilogue.Relu, tail = !epilogue.IsNone;
        // As the run-by-run form did: with an epilogue a missing bias is added as 0 (−0 becomes +0).
        bool addBias = bias is not null || tail;
        fixed (float* residual = epilogue.Residual)
            for (int j = 0; j < m; j++)
            {
                var add = Vector512.Create(bias is null ? 0f : bias[j]);
                float* row = tile + (long)j * NR;
                long channel = (long)j * outPlane;
                for (int i = 0; i < pieces; i++)
                {
                    var v = Avx512F.Compress(Vector512<float>.Zero, compress[i], Vector512.Load(row + vector[i] * Lanes));
                    if (addBias) v += add;
                    long at = target[i] + channel;
                    if (tail)
                    {
                        if (residual is not null) v += Avx512F.MaskLoad(residual + at, store[i], Vector512<float>.Zero);
                        if (relu) v = Vector512.Max(v, Vector512<float>.Zero);
                    }
                    Avx512F.MaskStore(y + at, store[i], v);
                }
            }
    }

    public void Dispose() => NativeMemory.Free(real);
}
