using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Gemm;

/// <summary>
/// BLIS-style blocked GEMM around one micro-kernel. Loop nest (BLIS's five loops):
/// <code>
/// jc (NC cols) → pc (KC deep) → pack B block, panels split over threads → barrier
///   → this thread's rows: ic (MC rows) → pack A block → jr (NR) → ir (MR) → micro-kernel
/// </code>
/// Determinism: every C element is produced by one micro-kernel invocation per K block, whose
/// k-order is fixed, and K blocks are applied in order (first with beta, then with beta = 1).
/// Which thread computes a row never changes the arithmetic, so results are bit-identical for
/// any thread count or timing.
/// </summary>
internal sealed unsafe class PackedGemm<TKernel> : IWorkerJob where TKernel : struct, IGemmMicroKernel
{
    private readonly int _m, _n, _k;
    private readonly GemmOperand _a, _b;
    private readonly float* _c;
    private readonly float _alpha, _beta;
    private readonly float* _packB;     // shared by all threads; two buffers when there are ≥ 2 blocks
    private readonly long _packBStride; // floats per B buffer

    private PackedGemm(int m, int n, int k, GemmOperand a, GemmOperand b, float* c, float alpha, float beta)
    {
        (_m, _n, _k, _a, _b, _alpha, _beta) = (m, n, k, a, b, alpha, beta);
        _c = c;
        int kcMax = Math.Min(TKernel.KC, k);
        int ncMax = RoundUp(Math.Min(TKernel.NC, n), TKernel.NR);
        _packBStride = (long)kcMax * ncMax;
        int blocks = CeilDiv(n, TKernel.NC) * CeilDiv(k, TKernel.KC);
        _packB = AlignedScratch.Get(AlignedScratch.Slot.PackB, _packBStride * (blocks > 1 ? 2 : 1));
    }

    /// <summary>C = alpha·op(A)·op(B) + beta·C (C is m×n, row stride n), on up to maxThreads.</summary>
    public static void Run(int m, int n, int k, GemmOperand a, GemmOperand b, float* c,
                           float alpha, float beta, int maxThreads)
    {
        var job = new PackedGemm<TKernel>(m, n, k, a, b, c, alpha, beta);
        WorkerTeam.Shared.Run(job, maxThreads);
    }

    public void Execute(in WorkerContext ctx)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int t = ctx.ThreadIndex, threads = ctx.ThreadCount;

        // Rows are split in whole micro-panels so no A micro-panel straddles two threads.
        int rowPanels = CeilDiv(_m, mr);
        int rowStart = Math.Min(_m, rowPanels * t / threads * mr);
        int rowEnd = Math.Min(_m, rowPanels * (t + 1) / threads * mr);

        float* packA = AlignedScratch.Get(AlignedScratch.Slot.PackA, (long)TKernel.MC * Math.Min(TKernel.KC, _k));
        float* edge = stackalloc float[mr * nr];

        int block = 0;
        for (int jc = 0; jc < _n; jc += TKernel.NC)
        {
            int nc = Math.Min(TKernel.NC, _n - jc);
            int colPanels = CeilDiv(nc, nr);
            for (int pc = 0; pc < _k; pc += TKernel.KC, block++)
            {
                int kc = Math.Min(TKernel.KC, _k - pc);

                // Double-buffered: a thread may pack block b+1 while the other still computes on
                // block b; the barrier below also proves everyone finished block b−1, whose
                // buffer we are about to overwrite next time. One barrier per block instead of two.
                float* packB = _packB + (block & 1) * _packBStride;
                GemmPacking<TKernel>.PackB(packB, _b, pc, kc, jc, nc,
                                           colPanels * t / threads, colPanels * (t + 1) / threads);
                ctx.Barrier();

                float beta = pc == 0 ? _beta : 1f;
                for (int ic = rowStart; ic < rowEnd; ic += TKernel.MC)
                {
                    int mc = Math.Min(TKernel.MC, rowEnd - ic);
                    GemmPacking<TKernel>.PackA(packA, _a, ic, mc, pc, kc);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        float* bPanel = packB + (long)jr * kc;
                        int nTile = Math.Min(nr, nc - jr);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            float* aPanel = packA + (long)ir * kc;
                            float* cTile = _c + (long)(ic + ir) * _n + jc + jr;
                            int mTile = Math.Min(mr, mc - ir);
                            if (mTile == mr && nTile == nr)
                            {
                                TKernel.Run(kc, aPanel, bPanel, cTile, _n, _alpha, beta);
                            }
                            else
                            {
                                TKernel.Run(kc, aPanel, bPanel, edge, nr, 1f, 0f);
                                StoreEdge(edge, nr, cTile, _n, mTile, nTile, _alpha, beta);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The ragged part of a tile: same rounding as the kernel's epilogue.</summary>
    private static void StoreEdge(float* acc, int accStride, float* c, nint ldc, int rows, int cols,
                                  float alpha, float beta)
    {
        for (int r = 0; r < rows; r++)
        {
            float* s = acc + r * accStride;
            float* d = c + r * ldc;
            if (beta == 0f)
            {
                for (int j = 0; j < cols; j++) d[j] = s[j] * alpha;
            }
            else
            {
                for (int j = 0; j < cols; j++) d[j] = MathF.FusedMultiplyAdd(d[j], beta, s[j] * alpha);
            }
        }
    }

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;
    private static int RoundUp(int x, int y) => CeilDiv(x, y) * y;
}
