namespace SparseCore.Tensors;

public static partial class F
{
    /// <summary>Softmax over the last axis.</summary>
    public static Tensor Softmax(Tensor x) => SoftmaxOp(x, log: false);

    /// <summary>Log-softmax over the last axis.</summary>
    public static Tensor LogSoftmax(Tensor x) => SoftmaxOp(x, log: true);

    private static Tensor SoftmaxOp(Tensor x, bool log)
    {
        string op = log ? "LogSoftmax" : "Softmax";
        if (x.Rank < 1) throw new TensorShapeException(op, $"needs at least one axis, got {x.Shape}");
        int cols = x.Shape[-1], rows = x.Size / cols;
        var y = Tensor.Empty(x.Backend, x.Shape);
        x.Backend.Softmax(x.Buffer, y.Buffer, rows, cols, log);
        Autograd.Record(op, y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.SoftmaxBackward(y.Buffer, g.Buffer, dx.Buffer, rows, cols, log);
            return [dx];
        });
        return y;
    }

    /// <summary>
    /// Mean cross-entropy of logits [N, C] against labels [N], with optional label smoothing,
    /// fused: one pass computes log-softmax and the loss, the backward reuses the log-probabilities.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, IntTensor labels, float labelSmoothing = 0f)
    {
        if (logits.Rank != 2 || labels.Shape.Rank != 1 || labels.Shape[0] != logits.Shape[0])
            throw TensorShapeException.Mismatch("CrossEntropy", logits.Shape, labels.Shape, "needs logits [N, C] and labels [N]");
        if (!ReferenceEquals(logits.Backend, labels.Backend))
            throw new ArgumentException("CrossEntropy: logits and labels live on different backends");
        var backend = logits.Backend;
        int rows = logits.Shape[0], cols = logits.Shape[1];
        var logProbs = Tensor.Empty(backend, logits.Shape);
        using var perRow = backend.Allocate<float>(rows);
        backend.CrossEntropy(logits.Buffer, labels.Buffer, logProbs.Buffer, perRow, rows, cols, labelSmoothing);
        var loss = Tensor.Empty(backend, new Shape(1));
        backend.ReduceSum(perRow, loss.Buffer, 1, rows, 1, 1f / rows);
        Autograd.Record("CrossEntropy", loss, [logits], (g, _) =>
        {
            using var dRow = backend.Allocate<float>(rows);
            backend.ReduceSumBackward(g.Buffer, dRow, 1, rows, 1, 1f / rows);
            var dLogits = Tensor.Empty(backend, logits.Shape);
            backend.CrossEntropyBackward(logProbs.Buffer, labels.Buffer, dRow, dLogits.Buffer, rows, cols, labelSmoothing);
            return [dLogits];
        });
        return loss;
    }
}
