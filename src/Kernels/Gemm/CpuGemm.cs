namespace SparseCore.Kernels.Gemm;

/// <summary>Straightforward row-major SGEMM; replaced by the packed SIMD kernel on the gemm branch.</summary>
public static class CpuGemm
{
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
                             ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float acc = 0f;
                for (int p = 0; p < k; p++)
                    acc += a[transA ? p * m + i : i * k + p] * b[transB ? j * k + p : p * n + j];
                c[i * n + j] = beta == 0f ? alpha * acc : alpha * acc + beta * c[i * n + j];
            }
    }
}
