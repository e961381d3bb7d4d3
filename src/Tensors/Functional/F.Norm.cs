using SparseCore.Kernels.Norm;

namespace SparseCore.Tensors;

public static partial class F
{
    /// <summary>
    /// Batch-norm of x [N, C, H, W] with per-channel γ, β. Training normalises with the batch
    /// statistics and updates <paramref name="runningMean"/> and <paramref name="runningVar"/> in
    /// place (PyTorch's momentum rule, unbiased variance); evaluation normalises with them. The
    /// running buffers are state, not inputs: they are never differentiated.
    /// </summary>
    public static Tensor BatchNorm2d(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                     bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        const string op = "BatchNorm2d";
        if (x.Rank != 4) throw new TensorShapeException(op, $"needs x [N, C, H, W], got {x.Shape}");
        int channels = x.Shape[1];
        CheckPerChannel(op, "gamma", x, gamma, channels);
        CheckPerChannel(op, "beta", x, beta, channels);
        CheckPerChannel(op, "runningMean", x, runningMean, channels);
        CheckPerChannel(op, "runningVar", x, runningVar, channels);
        var s = new BatchNormShape(x.Shape[0], channels, x.Shape[2] * x.Shape[3]);
        if (s.Problem(training) is string problem) throw new TensorShapeException(op, $"input {x.Shape}: {problem}");

        var backend = x.Backend;
        var y = Tensor.Empty(backend, x.Shape);
        var mean = Tensor.Empty(backend, new Shape(channels));
        var rstd = Tensor.Empty(backend, new Shape(channels));
        backend.BatchNorm2d(x.Buffer, gamma.Buffer, beta.Buffer, runningMean.Buffer, runningVar.Buffer, y.Buffer,
            mean.Buffer, rstd.Buffer, s, training, momentum, eps);
        Autograd.Record(op, y, [x, gamma, beta], (g, _) =>
        {
            var dx = Tensor.Empty(backend, x.Shape);
            var dgamma = Tensor.Empty(backend, gamma.Shape);
            var dbeta = Tensor.Empty(backend, beta.Shape);
            backend.BatchNorm2dBackward(x.Buffer, g.Buffer, gamma.Buffer, mean.Buffer, rstd.Buffer, dx.Buffer, dgamma.Buffer, dbeta.Buffer, s, training);
            return [dx, dgamma, dbeta];
        });
        ReleaseUnrecorded(y, mean, rstd);
        return y;
    }

    /// <summary>Layer-norm over the last axis of x with γ, β of that extent (ViT's LayerNorm).</summary>
    public static Tensor LayerNorm(Tensor x, Tensor gamma, Tensor beta, float eps = 1e-5f)
    {
        const string op = "LayerNorm";
        if (x.Rank < 1 || x.Size == 0) throw new TensorShapeException(op, $"needs a non-empty x with at least one axis, got {x.Shape}");
        int cols = x.Shape[-1], rows = x.Size / cols;
        CheckPerChannel(op, "gamma", x, gamma, cols);
        CheckPerChannel(op, "beta", x, beta, cols);

        var backend = x.Backend;
        var y = Tensor.Empty(backend, x.Shape);
        var mean = Tensor.Empty(backend, new Shape(rows));
        var rstd = Tensor.Empty(backend, new Shape(rows));
        backend.LayerNorm(x.Buffer, gamma.Buffer, beta.Buffer, y.Buffer, mean.Buffer, rstd.Buffer, rows, cols, eps);
        Autograd.Record(op, y, [x, gamma, beta], (g, _) =>
        {
            var dx = Tensor.Empty(backend, x.Shape);
            var dgamma = Tensor.Empty(backend, gamma.Shape);
            var dbeta = Tensor.Empty(backend, beta.Shape);
            backend.LayerNormBackward(x.Buffer, g.Buffer, gamma.Buffer, mean.Buffer, rstd.Buffer, dx.Buffer, dgamma.Buffer, dbeta.Buffer, rows, cols);
            return [dx, dgamma, dbeta];
        });
        ReleaseUnrecorded(y, mean, rstd);
        return y;
    }

    /// <summary>A per-channel operand must be [extent] on x's backend.</summary>
    private static void CheckPerChannel(string op, string operand, Tensor x, Tensor v, int extent)
    {
        if (v.Rank != 1 || v.Shape[0] != extent)
            throw TensorShapeException.Mismatch(op, x.Shape, v.Shape, $"{operand} must be [{extent}]");
        CheckSameBackend(op, x, v);
    }

    /// <summary>Saved statistics only the backward reads: freed at once when no backward was recorded.</summary>
    private static void ReleaseUnrecorded(Tensor y, Tensor mean, Tensor rstd)
    {
        if (y.RequiresGrad) return;
        mean.Dispose();
        rstd.Dispose();
    }
}
