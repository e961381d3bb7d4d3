using SparseCore.Kernels.Elementwise;

namespace SparseCore.Tensors;

/// <summary>
/// The score-masked weight of unstructured pruning with learned scores (HYDRA, VPNs): the layer runs
/// on W ⊙ m, m a 0/1 mask the caller chose by a top-k over |s|, and the scores learn through the
/// straight-through estimator.
/// </summary>
public static partial class F
{
    /// <summary>
    /// W ⊙ m, with dW = dY ⊙ m and dScores = sign(s) ⊙ dY ⊙ W (sign(0) = 0): the top-k has no useful
    /// derivative, so the gradient reaching m is passed to |s| as if the selection were the identity.
    /// The mask is a constant of the op and gets no gradient. All three tensors share one shape.
    /// </summary>
    public static Tensor ScoreMaskedWeight(Tensor w, Tensor scores, Tensor mask)
    {
        const string op = "ScoreMaskedWeight";
        CheckSameBackend(op, w, scores);
        CheckSameBackend(op, w, mask);
        if (scores.Shape != w.Shape) throw TensorShapeException.Mismatch(op, w.Shape, scores.Shape, "the scores must have the weight's shape");
        if (mask.Shape != w.Shape) throw TensorShapeException.Mismatch(op, w.Shape, mask.Shape, "the mask must have the weight's shape");
        int n = w.Size;
        var y = Tensor.Empty(w.Backend, w.Shape);
        w.Backend.Binary(BinaryOp.Mul, w.Buffer, mask.Buffer, y.Buffer, Broadcast.Same(n));
        Autograd.Record(op, y, [w, scores], (g, needs) =>
        {
            var dw = needs[0] ? Tensor.Empty(w.Backend, w.Shape) : null;
            var ds = needs[1] ? Tensor.Empty(w.Backend, w.Shape) : null;
            w.Backend.ScoreMaskBackward(w.Buffer, scores.Buffer, mask.Buffer, g.Buffer, dw?.Buffer, ds?.Buffer, n);
            return [dw, ds];
        });
        return y;
    }
}
