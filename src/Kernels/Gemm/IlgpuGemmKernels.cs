using System.Runtime.InteropServices;
using ILGPU;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Gemm;

// GEMM on ILGPU: C = alpha·op(A)·op(B) + beta·C, row-major, batched by strides (GemmSpec).
//
// Versions, llm.c style — what each does and why the next is faster:
//
// v0 GemmSmall (kept, used for tiny products): one thread per output C[m, n], a k loop reading A
//    and B straight from global memory. Every multiply-add costs two global loads (L1/L2 hits at
//    best), so it is load-bound at a few % of peak; but it needs no barrier and no padding, so
//    for products under GemmSmallMaxWork multiply-adds (a 10-class classifier head, a bias-sized
//    weight gradient) it finishes before a tiled launch would have filled its tiles.
//
// v1 (the classic 16×16 shared-memory tile, one output per thread; not kept): each A/B element is
//    loaded from global memory once per tile instead of once per output, but every FMA still
//    needs two shared-memory loads — shared bandwidth caps it near ~20% of fp32 peak (the public
//    ILGPU 64×64/4×4 kernel is in this class).
//
// v2 GemmTiled (this file's research kernel): register blocking.
//    - Block tile BM×BN = 128×128, K step BK = 8; 256 threads as a 16×16 grid; each thread owns an
//      8×8 micro-tile of C held in 64 registers. Per k it reads 8 A and 8 B values from shared
//      memory as 4 16-byte loads (ld.shared.v4.f32 through a Float4 view) and does 64 FMAs: 16
//      FMAs per shared-load instruction (scalar loads: 4; v1: 0.5).
//    - Thread (tx, ty) owns rows 4·ty…4·ty+3 and 64+4·ty…, columns 4·tx… and 64+4·tx… (two
//      float4 of each operand): in a warp the 16 tx read 256 consecutive bytes of B, which a
//      16-byte load serves in conflict-free quarter-warp phases; the two ty values broadcast.
//    - Shared rows are padded to 132 floats: the NN staging of A (and NT of B) writes 8
//      consecutive k of one m per 8 threads, 8-way bank conflicts at a pitch of 128, none at 132.
//    - Launch bounds: .maxntid 256 (IlgpuKernelRegistry), so ptxas budgets registers for 256 threads.
//    - A is stored k-major in shared memory ([k][m]), so both operands are read along their
//      contiguous shared dimension. Transposes are absorbed by the cooperative tile load: each
//      thread stages 4 A and 4 B elements chosen so consecutive threads read consecutive global
//      addresses for the operand's actual layout (NN, NT, TN and TT all coalesced).
//    - Double buffering: two shared buffers; the next tile's global loads go to registers before
//      the current tile's 8 k-steps and are written to the other buffer after them, so global
//      latency hides behind 512 FMAs per thread and only one barrier per k-tile is needed.
//    - Edges: out-of-range A/B elements load as 0 and out-of-range C elements are not stored, so
//      any M, N, K works (tests use 17×23×9 and 70×33×65).
//    - Batch is grid dimension z (≤ 65535 on CUDA); blockIdx.x walks N so neighbouring blocks
//      share the A panel in L2.
//    - ILGPU 1.5.3 does not unroll loops, so the 8×8 micro-tile (64 accumulators, 4 vector
//      loads, 64 FMAs), the tile staging and the epilogue are written out. Each such region, from
//      "// generated: NAME" to "// end generated", is the output of
//      tests/Kernels.Tests/Ilgpu/MicroTileGenerator.cs (which also writes ConvGemm's), and a test
//      fails when the two differ: edit the generator, then run MicroTileGeneratorTests with
//      SPARSECORE_WRITE_GENERATED=1 to rewrite the regions.
//      The 8-step k loop is left rolled: its body is large enough that the loop overhead is ~2%.
//    - Split-K (batch 1, chosen from the shape in IlgpuBackend.Gemm.cs): when the grid is small,
//      grid z runs over K chunks writing partials, and GemmSplitKSum adds them in chunk order.
//    - Vectorised staging (VecA / VecB, set at launch when the operand's contiguous extent is a
//      multiple of 4 and batch strides keep 16-byte alignment): a thread's 4 tile elements are
//      consecutive, loaded with one ld.v4.f32 and, where also consecutive in the tile (Aᵀ, B),
//      stored with one st.shared.v4.f32; otherwise the scalar staging above.
//    Not yet done: vector stores in the epilogue, warp tiling, smaller tiles for small M·N with a
//    short K, fused epilogues (bias, ReLU). The static PTX test (IlgpuPtxTests) holds the vector loads,
//    launch bounds and no-local-memory properties; only a GPU can say what they are worth.

/// <summary>GEMM shape as the kernels see it (ints: every buffer is int-indexed).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IlgpuGemmParams
{
    public int M, N, K, TransA, TransB, StrideA, StrideB, StrideC;
    public float Alpha, Beta;

    /// <summary>
    /// Split-K (batch 1 only): grid z is the split, each covering KChunk k (a multiple of BK) and
    /// writing its partial product at z·SplitStride of a workspace; Splits = 1 is the plain GEMM.
    /// </summary>
    public int Splits, KChunk, SplitStride;

    /// <summary>
    /// 1 when the operand's rows allow 16-byte global loads: its contiguous extent (K for A, M for
    /// Aᵀ; N for B, K for Bᵀ) a multiple of 4 and every batch entry 16-byte aligned. Then a
    /// thread stages 4 consecutive elements with one ld.v4.f32, and a k chunk or tile edge never
    /// splits a float4 (tiles and chunks start at multiples of 8).
    /// </summary>
    public int VecA, VecB;
}

internal static class IlgpuGemmKernels
{
    public const int BM = 128, BN = 128, BK = 8;

    /// <summary>
    /// Shared row pitch: 4 floats of padding per k row. Staging A (non-transposed) or B (transposed)
    /// writes 8 consecutive k of one m per 8 threads; at a pitch of 128 floats those 8 writes hit one
    /// bank (8-way conflicts), at 132 they land 4 banks apart and a warp's 32 writes hit 32 banks.
    /// 132 is a multiple of 4, so every Float4 read stays 16-byte aligned.
    /// </summary>
    public const int BMP = BM + 4, BNP = BN + 4;
    public const int ThreadsX = 16, ThreadsY = 16, Threads = ThreadsX * ThreadsY; // 8×8 outputs per thread

    /// <summary>v0: one thread per output, index = (batch·M + m)·N + n.</summary>
    [IlgpuKernel]
    internal static void GemmSmall(Index1D index, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, IlgpuGemmParams p)
    {
        int mn = p.M * p.N;
        int batch = index / mn;
        int r = index - batch * mn;
        int m = r / p.N, n = r - m * p.N;
        int aBase = batch * p.StrideA, bBase = batch * p.StrideB;
        float acc = 0f;
        for (int k = 0; k < p.K; k++)
            acc += a[aBase + (p.TransA != 0 ? k * p.M + m : m * p.K + k)] * b[bBase + (p.TransB != 0 ? n * p.K + k : k * p.N + n)];
        Store(c, p, batch * p.StrideC, m, n, acc);
    }

    /// <summary>A[m, k] of this batch entry, 0 past the last row or past kEnd (the end of K, or of this split's chunk).</summary>
    private static float LoadA(ArrayView<float> a, IlgpuGemmParams p, int aBase, int m, int k, int kEnd) =>
        m < p.M && k < kEnd ? a[aBase + (p.TransA != 0 ? k * p.M + m : m * p.K + k)] : 0f;

    private static float LoadB(ArrayView<float> b, IlgpuGemmParams p, int bBase, int k, int n, int kEnd) =>
        k < kEnd && n < p.N ? b[bBase + (p.TransB != 0 ? n * p.K + k : k * p.N + n)] : 0f;

    /// <summary>A[m, k…k+3] (or Aᵀ's [k, m…m+3]) as one 16-byte load; all four in range or none (VecA's conditions).</summary>
    private static Float4 LoadA4(ArrayView<float> a, IlgpuGemmParams p, int aBase, int m, int k, int kEnd) =>
        m < p.M && k < kEnd ? a.Cast<Float4>()[(aBase + (p.TransA != 0 ? k * p.M + m : m * p.K + k)) / 4] : default;

    /// <summary>B[k, n…n+3] (or Bᵀ's [n, k…k+3]) as one 16-byte load; all four in range or none (VecB's conditions).</summary>
    private static Float4 LoadB4(ArrayView<float> b, IlgpuGemmParams p, int bBase, int k, int n, int kEnd) =>
        k < kEnd && n < p.N ? b.Cast<Float4>()[(bBase + (p.TransB != 0 ? n * p.K + k : k * p.N + n)) / 4] : default;

    /// <summary>C = alpha·acc (+ beta·C); C is not read when beta = 0.</summary>
    private static void Store(ArrayView<float> c, IlgpuGemmParams p, int cBase, int m, int n, float acc)
    {
        if (m < p.M && n < p.N)
        {
            int i = cBase + m * p.N + n;
            c[i] = p.Beta == 0f ? p.Alpha * acc : p.Alpha * acc + p.Beta * c[i];
        }
    }

    /// <summary>
    /// Split-K's second pass: C = alpha·Σ_z partial[z] (+ beta·C), the partials added in split order
    /// — a fixed order whatever the timing, so the result is bit-identical run after run.
    /// </summary>
    [IlgpuKernel]
    internal static void GemmSplitKSum(Index1D i, ArrayView<float> partial, ArrayView<float> c, int length, int splits, float alpha, float beta)
    {
        float s = 0f;
        for (int z = 0; z < splits; z++) s += partial[z * length + i];
        c[i] = beta == 0f ? alpha * s : alpha * s + beta * c[i];
    }

    /// <summary>v2: 128×128 block tile, 8×8 register micro-tile per thread, double-buffered shared tiles.</summary>
    [IlgpuKernel]
    internal static void GemmTiled(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, IlgpuGemmParams p)
    {
        // [buffer][k][m] and [buffer][k][n], rows padded to BMP/BNP floats (see the constants), read
        // four floats at a time through the Float4 views and written one float at a time when staged.
        var As = SharedMemory.Allocate<float>(2 * BK * BMP);
        var Bs = SharedMemory.Allocate<float>(2 * BK * BNP);
        var As4 = As.Cast<Float4>();
        var Bs4 = Bs.Cast<Float4>();
        int t = Group.IdxX;
        int tx = t % ThreadsX, ty = t / ThreadsX;
        int m0 = Grid.IdxY * BM, n0 = Grid.IdxX * BN;
        // Grid z walks the batch, or with split-K (batch 1) the K chunks, each to its own partial.
        bool split = p.Splits > 1;
        int batch = split ? 0 : Grid.IdxZ;
        int kBegin = split ? Grid.IdxZ * p.KChunk : 0;
        int kEnd = split && kBegin + p.KChunk < p.K ? kBegin + p.KChunk : p.K;
        int aBase = batch * p.StrideA, bBase = batch * p.StrideB;
        int cBase = split ? Grid.IdxZ * p.SplitStride : batch * p.StrideC;

        // Which tile elements this thread stages: 4 of A's BM×BK and 4 of B's BK×BN. Consecutive
        // threads walk the operand's contiguous dimension, so each global load is coalesced
        // whatever the transpose; the transpose is absorbed here, on the way into shared memory.
        int aM0, aK0, bK0, bN0;
        int aM1, aK1, bK1, bN1;
        int aM2, aK2, bK2, bN2;
        int aM3, aK3, bK3, bN3;
        bool vecA = p.VecA != 0, vecB = p.VecB != 0;
        // On the vector path a thread's 4 elements are consecutive along the operand's contiguous
        // dimension. Aᵀ and B then land consecutively in shared memory too (one 16-byte store, a
        // warp's 512 bytes in conflict-free quarter-warp phases); A and Bᵀ go in 4 scalar stores
        // at k, k+1, k+2, k+3 of 16 consecutive m (or n) per warp half: banks 4k + m and 16 + 4k + m
        // at the padded pitch, all distinct.
        if (vecA && p.TransA != 0)
        {
            aK0 = t / 32; aM0 = (t % 32) * 4;
            aK1 = aK0; aM1 = aM0 + 1; aK2 = aK0; aM2 = aM0 + 2; aK3 = aK0; aM3 = aM0 + 3;
        }
        else if (vecA)
        {
            aM0 = t / 2; aK0 = (t % 2) * 4;
            aM1 = aM0; aK1 = aK0 + 1; aM2 = aM0; aK2 = aK0 + 2; aM3 = aM0; aK3 = aK0 + 3;
        }
        else if (p.TransA != 0)
        {
            aM0 = t % BM; aK0 = t / BM;
            aM1 = (t + 1 * Threads) % BM; aK1 = (t + 1 * Threads) / BM;
            aM2 = (t + 2 * Threads) % BM; aK2 = (t + 2 * Threads) / BM;
            aM3 = (t + 3 * Threads) % BM; aK3 = (t + 3 * Threads) / BM;
        }
        else
        {
            aK0 = t % BK; aM0 = t / BK;
            aK1 = (t + 1 * Threads) % BK; aM1 = (t + 1 * Threads) / BK;
            aK2 = (t + 2 * Threads) % BK; aM2 = (t + 2 * Threads) / BK;
            aK3 = (t + 3 * Threads) % BK; aM3 = (t + 3 * Threads) / BK;
        }
        if (vecB && p.TransB == 0)
        {
            bK0 = t / 32; bN0 = (t % 32) * 4;
            bK1 = bK0; bN1 = bN0 + 1; bK2 = bK0; bN2 = bN0 + 2; bK3 = bK0; bN3 = bN0 + 3;
        }
        else if (vecB)
        {
            bN0 = t / 2; bK0 = (t % 2) * 4;
            bN1 = bN0; bK1 = bK0 + 1; bN2 = bN0; bK2 = bK0 + 2; bN3 = bN0; bK3 = bK0 + 3;
        }
        else if (p.TransB != 0)
        {
            bK0 = t % BK; bN0 = t / BK;
            bK1 = (t + 1 * Threads) % BK; bN1 = (t + 1 * Threads) / BK;
            bK2 = (t + 2 * Threads) % BK; bN2 = (t + 2 * Threads) / BK;
            bK3 = (t + 3 * Threads) % BK; bN3 = (t + 3 * Threads) / BK;
        }
        else
        {
            bN0 = t % BN; bK0 = t / BN;
            bN1 = (t + 1 * Threads) % BN; bK1 = (t + 1 * Threads) / BN;
            bN2 = (t + 2 * Threads) % BN; bK2 = (t + 2 * Threads) / BN;
            bN3 = (t + 3 * Threads) % BN; bK3 = (t + 3 * Threads) / BN;
        }
        int aS0 = aK0 * BMP + aM0, bS0 = bK0 * BNP + bN0;
        int aS1 = aK1 * BMP + aM1, bS1 = bK1 * BNP + bN1;
        int aS2 = aK2 * BMP + aM2, bS2 = bK2 * BNP + bN2;
        int aS3 = aK3 * BMP + aM3, bS3 = bK3 * BNP + bN3;

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
        float ra0, ra1, ra2, ra3, rb0, rb1, rb2, rb3;

        // Prologue: tile 0 into buffer 0.
        {
            // generated: tile loads, first tile
            if (vecA) { var va = LoadA4(a, p, aBase, m0 + aM0, kBegin + aK0, kEnd); ra0 = va.X; ra1 = va.Y; ra2 = va.Z; ra3 = va.W; }
            else
            {
                ra0 = LoadA(a, p, aBase, m0 + aM0, kBegin + aK0, kEnd);
                ra1 = LoadA(a, p, aBase, m0 + aM1, kBegin + aK1, kEnd);
                ra2 = LoadA(a, p, aBase, m0 + aM2, kBegin + aK2, kEnd);
                ra3 = LoadA(a, p, aBase, m0 + aM3, kBegin + aK3, kEnd);
            }
            if (vecB) { var vb = LoadB4(b, p, bBase, kBegin + bK0, n0 + bN0, kEnd); rb0 = vb.X; rb1 = vb.Y; rb2 = vb.Z; rb3 = vb.W; }
            else
            {
                rb0 = LoadB(b, p, bBase, kBegin + bK0, n0 + bN0, kEnd);
                rb1 = LoadB(b, p, bBase, kBegin + bK1, n0 + bN1, kEnd);
                rb2 = LoadB(b, p, bBase, kBegin + bK2, n0 + bN2, kEnd);
                rb3 = LoadB(b, p, bBase, kBegin + bK3, n0 + bN3, kEnd);
            }
            // end generated
            // generated: tile stores, first tile
            if (vecA && p.TransA != 0) As4[(aS0) / 4] = new Float4 { X = ra0, Y = ra1, Z = ra2, W = ra3 };
            else { As[aS0] = ra0; As[aS1] = ra1; As[aS2] = ra2; As[aS3] = ra3; }
            if (vecB && p.TransB == 0) Bs4[(bS0) / 4] = new Float4 { X = rb0, Y = rb1, Z = rb2, W = rb3 };
            else { Bs[bS0] = rb0; Bs[bS1] = rb1; Bs[bS2] = rb2; Bs[bS3] = rb3; }
            // end generated
        }
        Group.Barrier();

        int kTiles = (kEnd - kBegin + BK - 1) / BK;
        for (int kt = 0; kt < kTiles; kt++)
        {
            int cur = (kt & 1) * (BK * BMP); // BMP = BNP: one offset serves both buffers
            bool hasNext = kt + 1 < kTiles;
            // Issue the next tile's global loads now; they complete while this tile is multiplied.
            if (hasNext)
            {
                int k0 = kBegin + (kt + 1) * BK;
                // generated: tile loads, next tile
                if (vecA) { var va = LoadA4(a, p, aBase, m0 + aM0, k0 + aK0, kEnd); ra0 = va.X; ra1 = va.Y; ra2 = va.Z; ra3 = va.W; }
                else
                {
                    ra0 = LoadA(a, p, aBase, m0 + aM0, k0 + aK0, kEnd);
                    ra1 = LoadA(a, p, aBase, m0 + aM1, k0 + aK1, kEnd);
                    ra2 = LoadA(a, p, aBase, m0 + aM2, k0 + aK2, kEnd);
                    ra3 = LoadA(a, p, aBase, m0 + aM3, k0 + aK3, kEnd);
                }
                if (vecB) { var vb = LoadB4(b, p, bBase, k0 + bK0, n0 + bN0, kEnd); rb0 = vb.X; rb1 = vb.Y; rb2 = vb.Z; rb3 = vb.W; }
                else
                {
                    rb0 = LoadB(b, p, bBase, k0 + bK0, n0 + bN0, kEnd);
                    rb1 = LoadB(b, p, bBase, k0 + bK1, n0 + bN1, kEnd);
                    rb2 = LoadB(b, p, bBase, k0 + bK2, n0 + bN2, kEnd);
                    rb3 = LoadB(b, p, bBase, k0 + bK3, n0 + bN3, kEnd);
                }
                // end generated
            }
            for (int kk = 0; kk < BK; kk++)
            {
                // In Float4 units: this k's A row and B row, at the thread's first four rows / columns.
                int row = (cur + kk * BMP) / 4 + ty;
                int col = (cur + kk * BNP) / 4 + tx;
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
            // The other buffer was last read before the previous barrier, so it is free: one barrier per tile.
            if (hasNext)
            {
                int nxt = (BK * BMP) - cur;
                // generated: tile stores, next tile
                if (vecA && p.TransA != 0) As4[(nxt + aS0) / 4] = new Float4 { X = ra0, Y = ra1, Z = ra2, W = ra3 };
                else { As[nxt + aS0] = ra0; As[nxt + aS1] = ra1; As[nxt + aS2] = ra2; As[nxt + aS3] = ra3; }
                if (vecB && p.TransB == 0) Bs4[(nxt + bS0) / 4] = new Float4 { X = rb0, Y = rb1, Z = rb2, W = rb3 };
                else { Bs[nxt + bS0] = rb0; Bs[nxt + bS1] = rb1; Bs[nxt + bS2] = rb2; Bs[nxt + bS3] = rb3; }
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
        int q0 = n0 + 4 * tx;
        int q1 = n0 + 4 * tx + 1;
        int q2 = n0 + 4 * tx + 2;
        int q3 = n0 + 4 * tx + 3;
        int q4 = n0 + 4 * ThreadsX + 4 * tx;
        int q5 = n0 + 4 * ThreadsX + 4 * tx + 1;
        int q6 = n0 + 4 * ThreadsX + 4 * tx + 2;
        int q7 = n0 + 4 * ThreadsX + 4 * tx + 3;
        Store(c, p, cBase, r0, q0, c00); Store(c, p, cBase, r0, q1, c01); Store(c, p, cBase, r0, q2, c02); Store(c, p, cBase, r0, q3, c03); Store(c, p, cBase, r0, q4, c04); Store(c, p, cBase, r0, q5, c05); Store(c, p, cBase, r0, q6, c06); Store(c, p, cBase, r0, q7, c07);
        Store(c, p, cBase, r1, q0, c10); Store(c, p, cBase, r1, q1, c11); Store(c, p, cBase, r1, q2, c12); Store(c, p, cBase, r1, q3, c13); Store(c, p, cBase, r1, q4, c14); Store(c, p, cBase, r1, q5, c15); Store(c, p, cBase, r1, q6, c16); Store(c, p, cBase, r1, q7, c17);
        Store(c, p, cBase, r2, q0, c20); Store(c, p, cBase, r2, q1, c21); Store(c, p, cBase, r2, q2, c22); Store(c, p, cBase, r2, q3, c23); Store(c, p, cBase, r2, q4, c24); Store(c, p, cBase, r2, q5, c25); Store(c, p, cBase, r2, q6, c26); Store(c, p, cBase, r2, q7, c27);
        Store(c, p, cBase, r3, q0, c30); Store(c, p, cBase, r3, q1, c31); Store(c, p, cBase, r3, q2, c32); Store(c, p, cBase, r3, q3, c33); Store(c, p, cBase, r3, q4, c34); Store(c, p, cBase, r3, q5, c35); Store(c, p, cBase, r3, q6, c36); Store(c, p, cBase, r3, q7, c37);
        Store(c, p, cBase, r4, q0, c40); Store(c, p, cBase, r4, q1, c41); Store(c, p, cBase, r4, q2, c42); Store(c, p, cBase, r4, q3, c43); Store(c, p, cBase, r4, q4, c44); Store(c, p, cBase, r4, q5, c45); Store(c, p, cBase, r4, q6, c46); Store(c, p, cBase, r4, q7, c47);
        Store(c, p, cBase, r5, q0, c50); Store(c, p, cBase, r5, q1, c51); Store(c, p, cBase, r5, q2, c52); Store(c, p, cBase, r5, q3, c53); Store(c, p, cBase, r5, q4, c54); Store(c, p, cBase, r5, q5, c55); Store(c, p, cBase, r5, q6, c56); Store(c, p, cBase, r5, q7, c57);
        Store(c, p, cBase, r6, q0, c60); Store(c, p, cBase, r6, q1, c61); Store(c, p, cBase, r6, q2, c62); Store(c, p, cBase, r6, q3, c63); Store(c, p, cBase, r6, q4, c64); Store(c, p, cBase, r6, q5, c65); Store(c, p, cBase, r6, q6, c66); Store(c, p, cBase, r6, q7, c67);
        Store(c, p, cBase, r7, q0, c70); Store(c, p, cBase, r7, q1, c71); Store(c, p, cBase, r7, q2, c72); Store(c, p, cBase, r7, q3, c73); Store(c, p, cBase, r7, q4, c74); Store(c, p, cBase, r7, q5, c75); Store(c, p, cBase, r7, q6, c76); Store(c, p, cBase, r7, q7, c77);
        // end generated
    }
}
