using System.Runtime.InteropServices;
using ILGPU;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Conv;

// conv2d on ILGPU as implicit GEMM (NCHW, groups 1, dilation 1): the patch matrix is never
// materialised; the tile loader gathers its elements from the activations, zero in the padding.
// All three passes are one GEMM shape, so one register-blocked kernel serves them (Mode):
//
//   pass              M      N (columns)      K (reduction)      A[m, k]                B[k, n]
//   forward           Cout   N·OutH·OutW      Cin·KH·KW          w[co, (ci,r,q)]        x at (img, oh·s−p+r, ow·s−p+q)
//   backward-data     Cin    N·H·W            Cout·KH·KW         w[co, ci, r, q]        dy at (img, co, (ih+p−r)/s, (iw+p−q)/s)
//   backward-weights  Cout   Cin·KH·KW        N·OutH·OutW        dy[img, co, pixel]     x at (img, ci, oh·s−p+r, ow·s−p+q)
//
// Versions, llm.c style:
// v0 (not kept): one thread per output summing its K products from global memory — what the
//    CPU reference loops do; load-bound at a few % of peak.
// v1 ConvGemm (this file): the tiling of Gemm/IlgpuGemmKernels.cs v2, resized for conv shapes.
//    - Block tile BM×BN = 64×128 (64 = the usual channel count, so a 64-channel layer wastes no
//      rows; the 128 columns run over pixels), BK = 8; 128 threads as 16×8, each owning an 8×8
//      micro-tile in 64 registers at rows 4·ty…4·ty+3 and 32+4·ty…, columns 4·tx… and 64+4·tx…,
//      read from shared memory as two 16-byte loads per operand per k (4 ld.shared.v4.f32 per 64
//      FMAs), as in the GEMM. Shared rows are padded by 4 floats so the A staging is conflict-free.
//    - Gathering: every thread stages the same column n of the B tile for all 8 k of a tile, so
//      it decodes n into (image, pixel) or (channel, tap) once per launch, and k0 into a
//      (d0, d1, d2) counter once per tile, then steps the counter for k0+1…k0+7 — no divisions
//      in the inner gather except backward-data's stride test. Padding and tails load 0.
//    - Backward-data as implicit GEMM rather than col2im: each dx element is one GEMM output, so
//      it is written once with no atomics; for stride s only 1/s² of its K terms are non-zero
//      (the rest are predicated off) — wasted FMAs, accepted for the simplicity and determinism.
//    - Double-buffered shared tiles (one barrier per k-tile), as in the GEMM.
//    - Gather conv (Masked/Backend.GatherConv.cs) is the forward with Gather set: M and K count
//      only the kept output / input channels, and the loaders read through the two index lists —
//      a kept row's weights at w[outRows[m]], a kept input channel at x[inChannels[ci]] — so the
//      pruned layer runs this same kernel on the full tensors with no weight copy.
//    - Fused epilogue: bias added on the forward store; the output index maps the GEMM column
//      back to NCHW (image-major), so no transpose pass follows.
//    - Backward-weights has few outputs (Cout × Cin·KH·KW) and a long K (N·OutH·OutW): split-K.
//      Grid z cuts K into fixed chunks chosen from the shape alone; each chunk writes its partial
//      product to a workspace and ConvSplitKSum adds the partials in chunk order — a fixed
//      reduction order, no float atomics, bit-identical run after run.
//    - The bias gradient is a per-channel sum in two passes: groups over fixed parts of each
//      channel (strided partials, then the fixed tree), then ConvSplitKSum adds the parts in order.
//    ILGPU 1.5.3 does not unroll loops: the micro-tile, the tile staging and the epilogue are
//    written out, each region from "// generated: NAME" to "// end generated" by
//    tests/Kernels.Tests/Ilgpu/MicroTileGenerator.cs, as in the GEMM (a test checks they match).
//    - Launch bounds: .maxntid 128 (IlgpuKernelRegistry), so ptxas budgets registers for 128 threads.
//    - The backward-data loader divides by the stride only for strides above 2 (OutputOf).
//    Not yet done: float4 global loads for stride-1 rows, a dgrad that skips the zero taps of
//    strided convs, shape-chosen smaller tiles for the small-M·N forward passes; the inference
//    epilogue (residual, ReLU) runs as the second kernel ConvEpilogue rather than on this store.

/// <summary>The implicit-GEMM view of one conv2d pass; see the table at the top of the file.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IlgpuConvParams
{
    public const int Forward = 0, BackwardData = 1, BackwardWeights = 2;

    public int Mode, M, N, K;
    /// <summary>K range of one grid-z slice, and the distance between slices' outputs (0: one slice).</summary>
    public int KChunk, SplitStride;
    public int Cin, H, W, Cout, KH, KW, SH, SW, PH, PW, OutH, OutW, KK, P;
    /// <summary>k = (d0·KB + d1)·KC + d2: the counter the B gather steps through.</summary>
    public int KB, KC;
    /// <summary>GEMM columns per output image (the image stride of the output is M·OutPlane).</summary>
    public int OutPlane;
    /// <summary>A[m, k] = a[ABase(k) + m·AStride].</summary>
    public int AStride;
    public int HasBias;
    /// <summary>Forward only: rows and input channels are positions in the kernel's two index lists.</summary>
    public int Gather;

    public static IlgpuConvParams For(in Conv2dShape s, int mode)
    {
        int kk = s.KH * s.KW, pixels = s.OutH * s.OutW;
        var p = new IlgpuConvParams
        {
            Mode = mode, Cin = s.Cin, H = s.H, W = s.W, Cout = s.Cout, KH = s.KH, KW = s.KW,
            SH = s.StrideH, SW = s.StrideW, PH = s.PadH, PW = s.PadW, OutH = s.OutH, OutW = s.OutW, KK = kk, P = pixels,
        };
        switch (mode)
        {
            case Forward:
                (p.M, p.N, p.K, p.KB, p.KC, p.OutPlane) = (s.Cout, s.N * pixels, s.Cin * kk, s.KH, s.KW, pixels);
                p.AStride = p.K;
                break;
            case BackwardData:
                (p.M, p.N, p.K, p.KB, p.KC, p.OutPlane) = (s.Cin, s.N * s.H * s.W, s.Cout * kk, s.KH, s.KW, s.H * s.W);
                p.AStride = kk;
                break;
            default:
                (p.M, p.N, p.K, p.KB, p.KC, p.OutPlane) = (s.Cout, s.Cin * kk, s.N * pixels, s.OutH, s.OutW, s.Cin * kk);
                p.AStride = pixels;
                break;
        }
        p.KChunk = p.K;
        return p;
    }
}

internal static class IlgpuConvKernels
{
    public const int BM = 64, BN = 128, BK = 8;

    /// <summary>
    /// Shared row pitch, 4 floats of padding per k row: the A staging writes 8 consecutive k of one
    /// row per 8 threads, which at a pitch of 64 floats hit one bank (8-way conflicts) and at 68 land
    /// 4 banks apart. Multiples of 4, so the micro-tile's Float4 reads stay 16-byte aligned.
    /// </summary>
    public const int BMP = BM + 4, BNP = BN + 4;
    public const int ThreadsX = 16, ThreadsY = 8, Threads = ThreadsX * ThreadsY; // 8×8 outputs per thread

    /// <summary>Where A's column k starts: the weight or dy element of row m = 0.</summary>
    private static int ABase(IlgpuConvParams p, ArrayView<int> inChannels, int k)
    {
        if (p.Mode == IlgpuConvParams.Forward)
        {
            if (p.Gather == 0) return k;
            int ci = k / p.KK;
            return inChannels[ci] * p.KK + (k - ci * p.KK);
        }
        if (p.Mode == IlgpuConvParams.BackwardData)
        {
            int co = k / p.KK;
            return co * p.Cin * p.KK + (k - co * p.KK);
        }
        int img = k / p.P;
        return img * p.Cout * p.P + (k - img * p.P);
    }

    /// <summary>B[k, n] from the column's decoded (col0, col1, col2) and k's counter (d0, d1, d2); 0 in the padding.</summary>
    private static float LoadB(ArrayView<float> b, ArrayView<int> inChannels, IlgpuConvParams p, int col0, int col1, int col2, int d0, int d1, int d2)
    {
        if (p.Mode == IlgpuConvParams.Forward)
        {
            // col0 = image offset in x, col1/col2 = top-left input row/column of the pixel's window; d = (ci, r, q).
            int ih = col1 + d1, iw = col2 + d2;
            int ci = p.Gather != 0 ? inChannels[d0] : d0;
            return ih >= 0 && ih < p.H && iw >= 0 && iw < p.W ? b[col0 + (ci * p.H + ih) * p.W + iw] : 0f;
        }
        if (p.Mode == IlgpuConvParams.BackwardData)
        {
            // col0 = image offset in dy, col1/col2 = padded input row/column; d = (co, r, q).
            int th = col1 - d1, tw = col2 - d2;
            if (th < 0 || tw < 0) return 0f;
            int oh = OutputOf(th, p.SH), ow = OutputOf(tw, p.SW);
            return oh >= 0 && ow >= 0 && oh < p.OutH && ow < p.OutW ? b[col0 + (d0 * p.OutH + oh) * p.OutW + ow] : 0f;
        }
        {
            // col0 = channel offset in an image of x, col1/col2 = tap minus padding; d = (img, oh, ow).
            int ih = d1 * p.SH + col1, iw = d2 * p.SW + col2;
            return ih >= 0 && ih < p.H && iw >= 0 && iw < p.W ? b[d0 * p.Cin * p.H * p.W + col0 + ih * p.W + iw] : 0f;
        }
    }

    /// <summary>
    /// The output row (or column) whose window starts t = padded position − tap, or −1 when t is
    /// not a multiple of the stride. Stride 1 and 2 (every ResNet conv) take no division: this runs
    /// for each of a tile's 8 B elements, twice, and an integer division is a long instruction
    /// sequence on a GPU. The stride is the same for every thread, so the branch does not diverge.
    /// </summary>
    private static int OutputOf(int t, int stride)
    {
        if (stride == 1) return t;
        if (stride == 2) return (t & 1) == 0 ? t >> 1 : -1;
        int o = t / stride;
        return o * stride == t ? o : -1;
    }

    /// <summary>Output offset of GEMM column q for row 0: image-major, as NCHW stores it.</summary>
    private static int OutColumn(IlgpuConvParams p, int q)
    {
        int g = q / p.OutPlane;
        return g * p.M * p.OutPlane + (q - g * p.OutPlane);
    }

    private static float Bias(ArrayView<float> bias, ArrayView<int> outRows, IlgpuConvParams p, int m) =>
        p.HasBias != 0 && m < p.M ? bias[p.Gather != 0 ? outRows[m] : m] : 0f;

    /// <summary>Offset of A's row m (a kept row through outRows when gathering); 0 past the last row, whose loads are predicated off.</summary>
    private static int ARow(ArrayView<int> outRows, IlgpuConvParams p, int m) =>
        m < p.M ? (p.Gather != 0 ? outRows[m] : m) * p.AStride : 0;

    private static void Store(ArrayView<float> c, IlgpuConvParams p, int cBase, int m, int q, int o, float value)
    {
        if (m < p.M && q < p.N) c[cBase + o + m * p.OutPlane] = value;
    }

    /// <summary>One pass of conv2d as an implicit GEMM: 64×128 block tile, 8×8 register micro-tile, double-buffered.</summary>
    [IlgpuKernel]
    internal static void ConvGemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c,
                                  ArrayView<int> outRows, ArrayView<int> inChannels, IlgpuConvParams p)
    {
        var As = SharedMemory.Allocate<float>(2 * BK * BMP); // [buffer][k][m], rows padded to BMP
        var Bs = SharedMemory.Allocate<float>(2 * BK * BNP); // [buffer][k][n], rows padded to BNP
        var As4 = As.Cast<Float4>();
        var Bs4 = Bs.Cast<Float4>();
        int t = Group.IdxX;
        int tx = t % ThreadsX, ty = t / ThreadsX;
        int m0 = Grid.IdxY * BM, n0 = Grid.IdxX * BN;
        int kBegin = Grid.IdxZ * p.KChunk;
        int kEnd = kBegin + p.KChunk < p.K ? kBegin + p.KChunk : p.K;
        int cBase = Grid.IdxZ * p.SplitStride;

        // A staging: 4 elements of the 64×8 tile at k = aK, rows aM0..3 (consecutive threads walk k).
        int aK = t % BK;
        int aM0 = m0 + t / BK, aM1 = aM0 + 16, aM2 = aM0 + 32, aM3 = aM0 + 48;
        int aS0 = aK * BMP + t / BK, aS1 = aS0 + 16, aS2 = aS0 + 32, aS3 = aS0 + 48;
        int aR0 = ARow(outRows, p, aM0), aR1 = ARow(outRows, p, aM1), aR2 = ARow(outRows, p, aM2), aR3 = ARow(outRows, p, aM3);
        // B staging: column n0 + t, all 8 k of the tile; the column is decoded once.
        int bS0 = t, bS1 = t + BNP, bS2 = t + 2 * BNP, bS3 = t + 3 * BNP, bS4 = t + 4 * BNP, bS5 = t + 5 * BNP, bS6 = t + 6 * BNP, bS7 = t + 7 * BNP;
        int n = n0 + t;
        bool colValid = n < p.N;
        int col0, col1, col2;
        if (p.Mode == IlgpuConvParams.Forward)
        {
            int img = n / p.P, pix = n - img * p.P;
            int oh = pix / p.OutW, ow = pix - oh * p.OutW;
            col0 = img * p.Cin * p.H * p.W; col1 = oh * p.SH - p.PH; col2 = ow * p.SW - p.PW;
        }
        else if (p.Mode == IlgpuConvParams.BackwardData)
        {
            int hw = p.H * p.W;
            int img = n / hw, pix = n - img * hw;
            int ih = pix / p.W, iw = pix - ih * p.W;
            col0 = img * p.Cout * p.P; col1 = ih + p.PH; col2 = iw + p.PW;
        }
        else
        {
            int ci = n / p.KK, rs = n - ci * p.KK;
            int r = rs / p.KW, q = rs - r * p.KW;
            col0 = ci * p.H * p.W; col1 = r - p.PH; col2 = q - p.PW;
        }

        // generated: accumulators
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f, c04 = 0f, c05 = 0f, c06 = 0f, c07 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f, c14 = 0f, c15 = 0f, c16 = 0f, c17 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f, c24 = 0f, c25 = 0f, c26 = 0f, c27 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f, c34 = 0f, c35 = 0f, c36 = 0f, c37 = 0f;
        float c40 = 0f, c41 = 0f, c42 = 0f, c43 = 0f, c44 = 0f, c45 = 0f, c46 = 0f, c47 = 0f;
        float c50 = 0f, c51 = 0f, c52 = 0f, c53 = 0f, c54 = 0f, c55 = 0f, c56 = 0f, c57 = 0f;
        float c60 = 0f, c61 = 0f, c62 = 0f, c63 = 0f, c64 = 0f, c65 = 0f, c66 = 0f, c67 = 0f;
        float c70 = 0f, c71 = 0f, c72 = 0f, c73 = 0f, c74 = 0f, c75 = 0f, c76 = 0f, c77 = 0f;
        // end generated
        float ra0, ra1, ra2, ra3, rb0, rb1, rb2, rb3, rb4, rb5, rb6, rb7;

        {
            int k0 = kBegin;
            int ka = k0 + aK;
            bool kaValid = ka < kEnd;
            int aBase = kaValid ? ABase(p, inChannels, ka) : 0;
            // generated: tile loads, first tile
            ra0 = kaValid && aM0 < p.M ? a[aBase + aR0] : 0f;
            ra1 = kaValid && aM1 < p.M ? a[aBase + aR1] : 0f;
            ra2 = kaValid && aM2 < p.M ? a[aBase + aR2] : 0f;
            ra3 = kaValid && aM3 < p.M ? a[aBase + aR3] : 0f;
            int d0 = k0 / (p.KB * p.KC), dr = k0 - d0 * (p.KB * p.KC);
            int d1 = dr / p.KC, d2 = dr - d1 * p.KC;
            rb0 = colValid && k0 + 0 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
            d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
            rb1 = colValid && k0 + 1 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
            d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
            rb2 = colValid && k0 + 2 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
            d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
            rb3 = colValid && k0 + 3 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
            d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
            rb4 = colValid && k0 + 4 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
            d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
            rb5 = colValid && k0 + 5 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
            d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
            rb6 = colValid && k0 + 6 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
            d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
            rb7 = colValid && k0 + 7 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
            // end generated
        }
        // generated: tile stores, first tile
        As[aS0] = ra0;
        As[aS1] = ra1;
        As[aS2] = ra2;
        As[aS3] = ra3;
        Bs[bS0] = rb0;
        Bs[bS1] = rb1;
        Bs[bS2] = rb2;
        Bs[bS3] = rb3;
        Bs[bS4] = rb4;
        Bs[bS5] = rb5;
        Bs[bS6] = rb6;
        Bs[bS7] = rb7;
        // end generated
        Group.Barrier();

        int kTiles = (kEnd - kBegin + BK - 1) / BK;
        for (int kt = 0; kt < kTiles; kt++)
        {
            int curA = (kt & 1) * (BK * BMP), curB = (kt & 1) * (BK * BNP);
            bool hasNext = kt + 1 < kTiles;
            // The next tile's gathers are issued now and complete while this tile is multiplied.
            if (hasNext)
            {
                int k0 = kBegin + (kt + 1) * BK;
                int ka = k0 + aK;
                bool kaValid = ka < kEnd;
                int aBase = kaValid ? ABase(p, inChannels, ka) : 0;
                // generated: tile loads, next tile
                ra0 = kaValid && aM0 < p.M ? a[aBase + aR0] : 0f;
                ra1 = kaValid && aM1 < p.M ? a[aBase + aR1] : 0f;
                ra2 = kaValid && aM2 < p.M ? a[aBase + aR2] : 0f;
                ra3 = kaValid && aM3 < p.M ? a[aBase + aR3] : 0f;
                int d0 = k0 / (p.KB * p.KC), dr = k0 - d0 * (p.KB * p.KC);
                int d1 = dr / p.KC, d2 = dr - d1 * p.KC;
                rb0 = colValid && k0 + 0 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
                d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
                rb1 = colValid && k0 + 1 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
                d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
                rb2 = colValid && k0 + 2 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
                d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
                rb3 = colValid && k0 + 3 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
                d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
                rb4 = colValid && k0 + 4 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
                d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
                rb5 = colValid && k0 + 5 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
                d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
                rb6 = colValid && k0 + 6 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
                d2++; if (d2 == p.KC) { d2 = 0; d1++; if (d1 == p.KB) { d1 = 0; d0++; } }
                rb7 = colValid && k0 + 7 < kEnd ? LoadB(b, inChannels, p, col0, col1, col2, d0, d1, d2) : 0f;
                // end generated
            }
            for (int kk = 0; kk < BK; kk++)
            {
                // In Float4 units: this k's A and B rows at the thread's first four rows / columns.
                int row = (curA + kk * BMP) / 4 + ty;
                int col = (curB + kk * BNP) / 4 + tx;
                // generated: micro-tile k step
                Float4 a03 = As4[row], a47 = As4[row + ThreadsY];
                Float4 b03 = Bs4[col], b47 = Bs4[col + ThreadsX];
                float a0 = a03.X, a1 = a03.Y, a2 = a03.Z, a3 = a03.W, a4 = a47.X, a5 = a47.Y, a6 = a47.Z, a7 = a47.W;
                float b0 = b03.X, b1 = b03.Y, b2 = b03.Z, b3 = b03.W, b4 = b47.X, b5 = b47.Y, b6 = b47.Z, b7 = b47.W;
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3; c04 += a0 * b4; c05 += a0 * b5; c06 += a0 * b6; c07 += a0 * b7;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3; c14 += a1 * b4; c15 += a1 * b5; c16 += a1 * b6; c17 += a1 * b7;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3; c24 += a2 * b4; c25 += a2 * b5; c26 += a2 * b6; c27 += a2 * b7;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3; c34 += a3 * b4; c35 += a3 * b5; c36 += a3 * b6; c37 += a3 * b7;
                c40 += a4 * b0; c41 += a4 * b1; c42 += a4 * b2; c43 += a4 * b3; c44 += a4 * b4; c45 += a4 * b5; c46 += a4 * b6; c47 += a4 * b7;
                c50 += a5 * b0; c51 += a5 * b1; c52 += a5 * b2; c53 += a5 * b3; c54 += a5 * b4; c55 += a5 * b5; c56 += a5 * b6; c57 += a5 * b7;
                c60 += a6 * b0; c61 += a6 * b1; c62 += a6 * b2; c63 += a6 * b3; c64 += a6 * b4; c65 += a6 * b5; c66 += a6 * b6; c67 += a6 * b7;
                c70 += a7 * b0; c71 += a7 * b1; c72 += a7 * b2; c73 += a7 * b3; c74 += a7 * b4; c75 += a7 * b5; c76 += a7 * b6; c77 += a7 * b7;
                // end generated
            }
            // The other buffer was last read before the previous barrier: one barrier per tile.
            if (hasNext)
            {
                int nxtA = (BK * BMP) - curA, nxtB = (BK * BNP) - curB;
                // generated: tile stores, next tile
                As[nxtA + aS0] = ra0;
                As[nxtA + aS1] = ra1;
                As[nxtA + aS2] = ra2;
                As[nxtA + aS3] = ra3;
                Bs[nxtB + bS0] = rb0;
                Bs[nxtB + bS1] = rb1;
                Bs[nxtB + bS2] = rb2;
                Bs[nxtB + bS3] = rb3;
                Bs[nxtB + bS4] = rb4;
                Bs[nxtB + bS5] = rb5;
                Bs[nxtB + bS6] = rb6;
                Bs[nxtB + bS7] = rb7;
                // end generated
            }
            Group.Barrier();
        }

        // generated: epilogue
        int r0 = m0 + 4 * ty;
        int r1 = m0 + 4 * ty + 1;
        int r2 = m0 + 4 * ty + 2;
        int r3 = m0 + 4 * ty + 3;
        int r4 = m0 + 4 * ThreadsY + 4 * ty;
        int r5 = m0 + 4 * ThreadsY + 4 * ty + 1;
        int r6 = m0 + 4 * ThreadsY + 4 * ty + 2;
        int r7 = m0 + 4 * ThreadsY + 4 * ty + 3;
        int q0 = n0 + 4 * tx, o0 = OutColumn(p, q0);
        int q1 = n0 + 4 * tx + 1, o1 = OutColumn(p, q1);
        int q2 = n0 + 4 * tx + 2, o2 = OutColumn(p, q2);
        int q3 = n0 + 4 * tx + 3, o3 = OutColumn(p, q3);
        int q4 = n0 + 4 * ThreadsX + 4 * tx, o4 = OutColumn(p, q4);
        int q5 = n0 + 4 * ThreadsX + 4 * tx + 1, o5 = OutColumn(p, q5);
        int q6 = n0 + 4 * ThreadsX + 4 * tx + 2, o6 = OutColumn(p, q6);
        int q7 = n0 + 4 * ThreadsX + 4 * tx + 3, o7 = OutColumn(p, q7);
        float bias0 = Bias(bias, outRows, p, r0);
        Store(c, p, cBase, r0, q0, o0, c00 + bias0); Store(c, p, cBase, r0, q1, o1, c01 + bias0); Store(c, p, cBase, r0, q2, o2, c02 + bias0); Store(c, p, cBase, r0, q3, o3, c03 + bias0); Store(c, p, cBase, r0, q4, o4, c04 + bias0); Store(c, p, cBase, r0, q5, o5, c05 + bias0); Store(c, p, cBase, r0, q6, o6, c06 + bias0); Store(c, p, cBase, r0, q7, o7, c07 + bias0);
        float bias1 = Bias(bias, outRows, p, r1);
        Store(c, p, cBase, r1, q0, o0, c10 + bias1); Store(c, p, cBase, r1, q1, o1, c11 + bias1); Store(c, p, cBase, r1, q2, o2, c12 + bias1); Store(c, p, cBase, r1, q3, o3, c13 + bias1); Store(c, p, cBase, r1, q4, o4, c14 + bias1); Store(c, p, cBase, r1, q5, o5, c15 + bias1); Store(c, p, cBase, r1, q6, o6, c16 + bias1); Store(c, p, cBase, r1, q7, o7, c17 + bias1);
        float bias2 = Bias(bias, outRows, p, r2);
        Store(c, p, cBase, r2, q0, o0, c20 + bias2); Store(c, p, cBase, r2, q1, o1, c21 + bias2); Store(c, p, cBase, r2, q2, o2, c22 + bias2); Store(c, p, cBase, r2, q3, o3, c23 + bias2); Store(c, p, cBase, r2, q4, o4, c24 + bias2); Store(c, p, cBase, r2, q5, o5, c25 + bias2); Store(c, p, cBase, r2, q6, o6, c26 + bias2); Store(c, p, cBase, r2, q7, o7, c27 + bias2);
        float bias3 = Bias(bias, outRows, p, r3);
        Store(c, p, cBase, r3, q0, o0, c30 + bias3); Store(c, p, cBase, r3, q1, o1, c31 + bias3); Store(c, p, cBase, r3, q2, o2, c32 + bias3); Store(c, p, cBase, r3, q3, o3, c33 + bias3); Store(c, p, cBase, r3, q4, o4, c34 + bias3); Store(c, p, cBase, r3, q5, o5, c35 + bias3); Store(c, p, cBase, r3, q6, o6, c36 + bias3); Store(c, p, cBase, r3, q7, o7, c37 + bias3);
        float bias4 = Bias(bias, outRows, p, r4);
        Store(c, p, cBase, r4, q0, o0, c40 + bias4); Store(c, p, cBase, r4, q1, o1, c41 + bias4); Store(c, p, cBase, r4, q2, o2, c42 + bias4); Store(c, p, cBase, r4, q3, o3, c43 + bias4); Store(c, p, cBase, r4, q4, o4, c44 + bias4); Store(c, p, cBase, r4, q5, o5, c45 + bias4); Store(c, p, cBase, r4, q6, o6, c46 + bias4); Store(c, p, cBase, r4, q7, o7, c47 + bias4);
        float bias5 = Bias(bias, outRows, p, r5);
        Store(c, p, cBase, r5, q0, o0, c50 + bias5); Store(c, p, cBase, r5, q1, o1, c51 + bias5); Store(c, p, cBase, r5, q2, o2, c52 + bias5); Store(c, p, cBase, r5, q3, o3, c53 + bias5); Store(c, p, cBase, r5, q4, o4, c54 + bias5); Store(c, p, cBase, r5, q5, o5, c55 + bias5); Store(c, p, cBase, r5, q6, o6, c56 + bias5); Store(c, p, cBase, r5, q7, o7, c57 + bias5);
        float bias6 = Bias(bias, outRows, p, r6);
        Store(c, p, cBase, r6, q0, o0, c60 + bias6); Store(c, p, cBase, r6, q1, o1, c61 + bias6); Store(c, p, cBase, r6, q2, o2, c62 + bias6); Store(c, p, cBase, r6, q3, o3, c63 + bias6); Store(c, p, cBase, r6, q4, o4, c64 + bias6); Store(c, p, cBase, r6, q5, o5, c65 + bias6); Store(c, p, cBase, r6, q6, o6, c66 + bias6); Store(c, p, cBase, r6, q7, o7, c67 + bias6);
        float bias7 = Bias(bias, outRows, p, r7);
        Store(c, p, cBase, r7, q0, o0, c70 + bias7); Store(c, p, cBase, r7, q1, o1, c71 + bias7); Store(c, p, cBase, r7, q2, o2, c72 + bias7); Store(c, p, cBase, r7, q3, o3, c73 + bias7); Store(c, p, cBase, r7, q4, o4, c74 + bias7); Store(c, p, cBase, r7, q5, o5, c75 + bias7); Store(c, p, cBase, r7, q6, o6, c76 + bias7); Store(c, p, cBase, r7, q7, o7, c77 + bias7);
        // end generated
    }

    /// <summary>dw[i] = Σ_z partial[z·length + i], z in order: the fixed-order end of the split-K weight gradient.</summary>
    [IlgpuKernel]
    internal static void ConvSplitKSum(Index1D i, ArrayView<float> partial, ArrayView<float> dw, int length, int splits)
    {
        float s = 0f;
        for (int z = 0; z < splits; z++) s += partial[z * length + i];
        dw[i] = s;
    }

    /// <summary>
    /// The forward's epilogue as a second pass, y = relu?(y + residual): the GEMM's store stays the
    /// generated code it is, and on a GPU one coalesced pass over y costs little next to the conv.
    /// </summary>
    [IlgpuKernel]
    internal static void ConvEpilogue(Index1D i, ArrayView<float> y, ArrayView<float> residual, int hasResidual, int relu)
    {
        float v = y[i];
        if (hasResidual != 0) v += residual[i];
        if (relu != 0 && !(v > 0f)) v = 0f;
        y[i] = v;
    }

    /// <summary>
    /// Pass 1 of db[co] = Σ_{img, pixel} dy[img, co, pixel]: group (co, part) sums values
    /// [part·partLength, …) of channel co's flattened (img, pixel) range with the fixed tree and
    /// writes partial[part·channels + co]; ConvSplitKSum then adds the parts in order. Many groups
    /// per channel, where one group a channel left most of a GPU idle.
    /// </summary>
    [IlgpuKernel]
    internal static void ConvBiasGrad(ArrayView<float> dy, ArrayView<float> partial, int images, int channels, int plane, int parts, int partLength)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int co = Grid.IdxX / parts, part = Grid.IdxX - co * parts;
        int total = images * plane;
        int begin = part * partLength;
        int end = begin + partLength < total ? begin + partLength : total;
        float acc = 0f;
        for (int i = begin + Group.IdxX; i < end; i += Group.DimX)
        {
            int img = i / plane;
            acc += dy[(img * channels + co) * plane + (i - img * plane)];
        }
        float sum = IlgpuGroupReduce.Sum(shared, acc);
        if (Group.IdxX == 0) partial[part * channels + co] = sum;
    }
}
