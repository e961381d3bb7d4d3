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
        return Record(scores, Tensor.FromArray(scores.Backend, hard, scores.Shape));
    }

    /// <summary>
    /// The hard mask 1[score ≥ <paramref name="threshold"/>] (the best score kept when none reaches
    /// it, <see cref="Kernels.Backend.ThresholdMask"/>) made on the device, with the same gradient.
    /// </summary>
    public static Tensor AboveThreshold(Tensor scores, float threshold)
    {
        if (scores.Size < 1) throw new TensorShapeException("StraightThrough", $"the scores {scores.Shape} are empty");
        var mask = Tensor.Empty(scores.Backend, scores.Shape);
        scores.Backend.ThresholdMask(scores.Buffer, scores.Size, threshold, mask.Buffer);
        return Record(scores, mask);
    }

    /// <summary>
    /// The hard mask of the <paramref name="keep"/> best scores (larger first, ties to the lower
    /// index: <see cref="Kernels.Backend.TopMask"/>) made on the device, with the same gradient.
    /// </summary>
    public static Tensor KeepingTop(Tensor scores, int keep)
    {
        if (scores.Size < 1) throw new TensorShapeException("StraightThrough", $"the scores {scores.Shape} are empty");
        var mask = Tensor.Empty(scores.Backend, scores.Shape);
        scores.Backend.TopMask(scores.Buffer, scores.Size, keep, mask.Buffer);
        return Record(scores, mask);
    }

    private static Tensor Record(Tensor scores, Tensor mask)
    {
        Autograd.Record("StraightThrough", mask, [scores], (g, _) =>
        {
            var d = Tensor.Empty(g.Backend, g.Shape);
            g.Backend.Copy(g.Buffer, 0, d.Buffer, 0, g.Size);
            return [d];
        });
        return mask;
    }
}
