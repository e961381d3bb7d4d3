namespace SparseCore.Tensors;

/// <summary>
/// Attention as compositions of recorded ops (batched GEMM, scale, softmax, layout), so the
/// backward is the tape's: no attention-specific kernel to keep in step with its gradient.
/// </summary>
public static partial class F
{
    /// <summary>
    /// softmax(q·kᵀ/√d)·v over the last two axes, the leading axes (rank 3 or 4) a batch:
    /// q [..., T, d], k [..., S, d], v [..., S, dv] → [..., T, dv]. The scale is applied to q
    /// (T·d multiplies rather than T·S).
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v)
    {
        const string op = "ScaledDotProductAttention";
        CheckSameBackend(op, q, k); CheckSameBackend(op, q, v);
        if (q.Rank is not (3 or 4) || k.Rank != q.Rank || v.Rank != q.Rank)
            throw TensorShapeException.Mismatch(op, q.Shape, k.Shape, "q, k and v must all be rank 3 [B, T, d] or rank 4 [B, heads, T, d]");
        int lead = q.Rank - 2;
        for (int a = 0; a < lead; a++)
            if (k.Shape[a] != q.Shape[a] || v.Shape[a] != q.Shape[a])
                throw TensorShapeException.Mismatch(op, q.Shape, k.Shape, $"batch extents must agree (v is {v.Shape})");
        int t = q.Shape[-2], d = q.Shape[-1], s = k.Shape[-2], dv = v.Shape[-1];
        if (k.Shape[-1] != d) throw TensorShapeException.Mismatch(op, q.Shape, k.Shape, "q and k must share the feature extent d");
        if (v.Shape[-2] != s) throw TensorShapeException.Mismatch(op, k.Shape, v.Shape, "k and v must share the sequence extent S");
        int batch = q.Shape.Product(0, lead);

        var q3 = Reshape(q, new Shape(batch, t, d));
        var k3 = Reshape(k, new Shape(batch, s, d));
        var v3 = Reshape(v, new Shape(batch, s, dv));
        var scores = MatMul(Scale(q3, 1f / MathF.Sqrt(d)), k3, transB: true);
        var y = MatMul(Softmax(scores), v3);
        var outDims = q.Shape.Dims.ToArray();
        outDims[^1] = dv;
        return Reshape(y, new Shape(outDims));
    }

    /// <summary>
    /// torch.nn.MultiheadAttention's self-attention (batch_first) with its packed weights:
    /// x [B, T, E], in_proj_weight [3E, E] (q, k, v rows), in_proj_bias [3E], out_proj.weight [E, E],
    /// out_proj.bias [E]; head h uses features h·E/heads … (h+1)·E/heads of each projection.
    /// </summary>
    public static Tensor MultiHeadAttention(Tensor x, Tensor wQkv, Tensor? bQkv, Tensor wOut, Tensor? bOut, int heads)
    {
        const string op = "MultiHeadAttention";
        if (x.Rank != 3) throw new TensorShapeException(op, $"needs x [B, T, E], got {x.Shape}");
        int b = x.Shape[0], t = x.Shape[1], e = x.Shape[2];
        if (heads <= 0 || e % heads != 0)
            throw new TensorShapeException(op, $"{heads} heads must divide the embedding extent {e} of {x.Shape}");
        if (wQkv.Shape != new Shape(3 * e, e))
            throw TensorShapeException.Mismatch(op, x.Shape, wQkv.Shape, $"in_proj_weight must be [3E, E] = [{3 * e}, {e}]");
        if (wOut.Shape != new Shape(e, e))
            throw TensorShapeException.Mismatch(op, x.Shape, wOut.Shape, $"out_proj.weight must be [E, E] = [{e}, {e}]");
        if (bQkv is not null && bQkv.Shape != new Shape(3 * e))
            throw TensorShapeException.Mismatch(op, wQkv.Shape, bQkv.Shape, $"in_proj_bias must be [3E] = [{3 * e}]");
        if (bOut is not null && bOut.Shape != new Shape(e))
            throw TensorShapeException.Mismatch(op, wOut.Shape, bOut.Shape, $"out_proj.bias must be [E] = [{e}]");
        int d = e / heads;

        var qkv = Linear(Reshape(x, new Shape(b * t, e)), wQkv, bQkv);
        var split = Transpose(Reshape(qkv, new Shape(b, t, 3 * heads, d)), 1, 2); // [B, 3·heads, T, d]
        Tensor Part(int p) => Reshape(Slice(split, 1, p * heads, heads), new Shape(b * heads, t, d));
        var attended = ScaledDotProductAttention(Part(0), Part(1), Part(2));
        var merged = Transpose(Reshape(attended, new Shape(b, heads, t, d)), 1, 2); // [B, T, heads, d]
        return Reshape(Linear(Reshape(merged, new Shape(b * t, e)), wOut, bOut), new Shape(b, t, e));
    }
}
