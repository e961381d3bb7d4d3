namespace SparseCore.Kernels.Gemm;

/// <summary>
/// Dot-product GEMM for tiny problems, where packing and thread hand-off would cost more than the
/// arithmetic, and the reference for a machine with no SIMD kernel. Same epilogue rounding as
/// the packed path.
/// </summary>
internal static unsafe class NaiveGemm
{
    public static void Run(int m, int n, int k, in GemmOperand a, in GemmOperand b, float* c,
                           float alpha, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            float* cRow = c + (long)i * n;
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                    sum = MathF.FusedMultiplyAdd(a[i, p], b[p, j], sum);
                cRow[j] = beta == 0f ? sum * alpha : MathF.FusedMultiplyAdd(cRow[j], beta, sum * alpha);
            }
        }
    }
}
