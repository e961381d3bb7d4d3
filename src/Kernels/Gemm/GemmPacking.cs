using System.Runtime.CompilerServices;

namespace SparseCore.Kernels.Gemm;

/// <summary>
/// Copies blocks of op(A) and op(B) into the layouts the micro-kernel streams: A as MR-row
/// micro-panels (for each k, MR consecutive rows), B as NR-column micro-panels (for each k, NR
/// consecutive columns). Ragged edges are zero-padded so the kernel always runs full tiles; the
/// padding rows/columns of the product are computed and then discarded.
/// </summary>
internal static unsafe class GemmPacking<TKernel> where TKernel : struct, IGemmMicroKernel
{
    /// <summary>op(A)[i0 .. i0+mc, p0 .. p0+kc] → ceil(mc/MR) micro-panels of MR·kc floats.</summary>
    public static void PackA(float* dst, in GemmOperand a, int i0, int mc, int p0, int kc)
    {
        int mrFull = TKernel.MR;
        for (int ir = 0; ir < mc; ir += mrFull, dst += mrFull * kc)
        {
            int mr = Math.Min(mrFull, mc - ir);
            float* src = a.Ptr + (i0 + ir) * a.RowStride + p0 * a.ColStride;
            if (a.RowStride == 1)
            {
                // transA: the MR rows of one k are adjacent in memory.
                for (int p = 0; p < kc; p++)
                {
                    float* s = src + p * a.ColStride;
                    float* d = dst + p * mrFull;
                    int r = 0;
                    for (; r < mr; r++) d[r] = s[r];
                    for (; r < mrFull; r++) d[r] = 0f;
                }
            }
            else if (a.ColStride == 1)
            {
                // Plain A: the MR rows transposed in 8×8 register blocks (the rows past mr zero).
                PanelTranspose.Rows(src, a.RowStride, mr, kc, dst, mrFull);
            }
            else
            {
                for (int r = 0; r < mr; r++)
                {
                    float* s = src + r * a.RowStride;
                    nint cs = a.ColStride;
                    for (int p = 0; p < kc; p++)
                        dst[p * mrFull + r] = s[p * cs];
                }
                for (int r = mr; r < mrFull; r++)
                    for (int p = 0; p < kc; p++)
                        dst[p * mrFull + r] = 0f;
            }
        }
    }

    /// <summary>
    /// op(B)[p0 .. p0+kc, j0 + panel·NR ..] for micro-panels [panelStart, panelEnd) of a block that
    /// is nc columns wide; panel q lands at dst + q·NR·kc.
    /// </summary>
    public static void PackB(float* dst, in GemmOperand b, int p0, int kc, int j0, int nc,
                             int panelStart, int panelEnd)
    {
        int nrFull = TKernel.NR;
        for (int q = panelStart; q < panelEnd; q++)
        {
            int jr = q * nrFull;
            int nr = Math.Min(nrFull, nc - jr);
            float* d = dst + (nint)q * nrFull * kc;
            float* src = b.Ptr + p0 * b.RowStride + (j0 + jr) * b.ColStride;
            if (b.ColStride == 1)
            {
                // Plain B: the NR columns of one k are adjacent in memory.
                if (nr == nrFull)
                {
                    for (int p = 0; p < kc; p++)
                        Unsafe.CopyBlockUnaligned(d + p * nrFull, src + p * b.RowStride, (uint)(nrFull * sizeof(float)));
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = src + p * b.RowStride;
                        float* dp = d + p * nrFull;
                        int j = 0;
                        for (; j < nr; j++) dp[j] = s[j];
                        for (; j < nrFull; j++) dp[j] = 0f;
                    }
                }
            }
            else
            {
                // transB: each column of op(B) is a contiguous source row; read it sequentially.
                nint rs = b.RowStride;
                int done = 0;
                if (rs == 1)
                    for (; done + 8 <= nr; done += 8)
                        PanelTranspose.Rows(src + done * b.ColStride, b.ColStride, 8, kc, d + done, nrFull);
                for (int j = done; j < nr; j++)
                {
                    float* s = src + j * b.ColStride;
                    for (int p = 0; p < kc; p++)
                        d[p * nrFull + j] = s[p * rs];
                }
                // The padding columns are a contiguous tail of every k's row: clear them as such
                // (a narrow last panel, e.g. 9 of 64 columns, would otherwise cost 55 strided stores a k).
                if (nr < nrFull)
                    for (int p = 0; p < kc; p++)
                        new Span<float>(d + p * nrFull + nr, nrFull - nr).Clear();
            }
        }
    }
}
