using SparseCore.Kernels.Gemm;

namespace SparseCore.Tensors;

public static partial class F
{
    /// <summary>
    /// op(a)·op(b). Rank 2 × rank 2; rank 3 × rank 3 (batched, same batch); or rank 3 × rank 2 with
    /// a shared right matrix (a untransposed: folded into one [batch·M, K] product).
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        CheckSameBackend("MatMul", a, b);
        if (a.Rank == 3 && b.Rank == 2)
        {
            if (transA) throw new TensorShapeException("MatMul", $"a batched lhs {a.Shape} with a shared rhs {b.Shape} cannot be transposed");
            var flat = Reshape(a, new Shape(a.Shape[0] * a.Shape[1], a.Shape[2]));
            var y2 = MatMul(flat, b, false, transB);
            return Reshape(y2, new Shape(a.Shape[0], a.Shape[1], y2.Shape[1]));
        }
        if (a.Rank != b.Rank || a.Rank is not (2 or 3))
            throw TensorShapeException.Mismatch("MatMul", a.Shape, b.Shape, "needs rank 2 × 2, 3 × 3 or 3 × 2");
        bool batched = a.Rank == 3;
        int batch = batched ? a.Shape[0] : 1;
        if (batched && b.Shape[0] != batch)
            throw TensorShapeException.Mismatch("MatMul", a.Shape, b.Shape, "batch extents differ");
        int r = batched ? 1 : 0;
        int m = transA ? a.Shape[r + 1] : a.Shape[r], k = transA ? a.Shape[r] : a.Shape[r + 1];
        int kb = transB ? b.Shape[r + 1] : b.Shape[r], n = transB ? b.Shape[r] : b.Shape[r + 1];
        if (k != kb)
            throw TensorShapeException.Mismatch("MatMul", a.Shape, b.Shape,
                $"inner extents differ ({k} vs {kb}) with transA={transA}, transB={transB}");

        var y = Tensor.Empty(a.Backend, batched ? new Shape(batch, m, n) : new Shape(m, n));
        Gemm(a, transA, b, transB, y, m, n, k, batch);
        Autograd.Record("MatMul", y, [a, b], (g, needs) =>
        {
            Tensor? da = null, db = null;
            if (needs[0])
            {
                da = Tensor.Empty(a.Backend, a.Shape);
                // dA = dC·op(B)ᵀ, or its transpose op(B)·dCᵀ when A was used transposed.
                if (!transA) Gemm(g, false, b, !transB, da, m, k, n, batch);
                else Gemm(b, transB, g, true, da, k, m, n, batch);
            }
            if (needs[1])
            {
                db = Tensor.Empty(b.Backend, b.Shape);
                // dB = op(A)ᵀ·dC, or its transpose dCᵀ·op(A) when B was used transposed.
                if (!transB) Gemm(a, !transA, g, false, db, k, n, m, batch);
                else Gemm(g, true, a, transA, db, n, k, m, batch);
            }
            return [da, db];
        });
        return y;
    }

    /// <summary>y = x·Wᵀ + bias with W stored [out, in] as torch.nn.Linear stores it.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        if (weight.Rank != 2 || x.Rank != 2 || x.Shape[1] != weight.Shape[1])
            throw TensorShapeException.Mismatch("Linear", x.Shape, weight.Shape, "needs x [N, in] and weight [out, in]");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw TensorShapeException.Mismatch("Linear", weight.Shape, bias.Shape, "bias must be [out]");
        var y = MatMul(x, weight, transB: true);
        return bias is null ? y : Add(y, bias);
    }

    /// <summary>C = op(A)·op(B) where op(A) is m×k and op(B) is k×n, for each batch.</summary>
    private static void Gemm(Tensor a, bool transA, Tensor b, bool transB, Tensor c, int m, int n, int k, int batch)
    {
        var spec = new GemmSpec(transA, transB, m, n, k, 1f, 0f, batch,
            batch > 1 ? (long)m * k : 0, batch > 1 ? (long)k * n : 0, batch > 1 ? (long)m * n : 0);
        a.Backend.Gemm(spec, a.Buffer, b.Buffer, c.Buffer);
    }
}
