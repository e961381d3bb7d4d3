namespace SparseCore.Kernels.Gemm;

/// <summary>
/// C = Alpha·op(A)·op(B) + Beta·C, row-major with tight leading dimensions, for Batch independent
/// products whose operands start Stride{A,B,C} elements apart (0 = the same matrix for every batch,
/// e.g. one weight shared by a batch of activations).
/// A is M×K (or K×M when TransA), B is K×N (or N×K when TransB), C is M×N.
/// </summary>
public readonly record struct GemmSpec(
    bool TransA, bool TransB, int M, int N, int K,
    float Alpha = 1f, float Beta = 0f,
    int Batch = 1, long StrideA = 0, long StrideB = 0, long StrideC = 0)
{
    public long RequiredA => (Batch - 1) * StrideA + (long)M * K;
    public long RequiredB => (Batch - 1) * StrideB + (long)K * N;
    public long RequiredC => (Batch - 1) * StrideC + (long)M * N;
    public double Flops => 2.0 * Batch * M * N * K;

    public override string ToString() =>
        $"{(TransA ? "T" : "N")}{(TransB ? "T" : "N")} {M}×{N}×{K}" + (Batch > 1 ? $" ×{Batch}" : "");
}
