using SparseCore.Tensors;

namespace SparseCore.Pass.Masks;

/// <summary>
/// The straight-through estimator (Bengio et al. 2013) as a recorded op: the forward value is the
/// given hard mask, the backward hands dL/dmask to the scores unchanged (no clipping; the paper mentions none).
/// </summary>
public static class StraightThrough
{
    public static Tensor Apply(Tensor scores, float[] hard)
    {
        ArgumentNullException.ThrowIfNull(hard);
        if (hard.Length != scores.Size)
            throw new TensorShapeException("StraightThrough", $"the hard mask has {hard.Length} values, the scores {scores.Shape} have {scores.Size}");
        var mask = Tensor.FromArray(scores.Backend, hard, scores.Shape);
        Autograd.Record("StraightThrough", mask, [scores], (g, _) =>
        {
            var d = Tensor.Empty(g.Backend, g.Shape);
            g.Backend.Copy(g.Buffer, 0, d.Buffer, 0, g.Size);
            return [d];
        });
        return mask;
    }
}
