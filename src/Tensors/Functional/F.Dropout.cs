using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Random;

namespace SparseCore.Tensors;

public static partial class F
{
    /// <summary>
    /// Inverted dropout: y = x·mask/(1 − p) with mask[i] = 1 with probability 1 − p, drawn
    /// counter-based from (<paramref name="seed"/>, <paramref name="stream"/>, i), so it is the same
    /// on every backend and the backward multiplies by the very same mask. With p = 0 or outside
    /// training it is the identity (a view of x).
    /// </summary>
    public static Tensor Dropout(Tensor x, float p, bool training, ulong seed, ulong stream)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentException($"Dropout: p must be in [0, 1), got {p}");
        if (!training || p == 0) return Reshape(x, x.Shape);
        var backend = x.Backend;
        var same = Broadcast.Same(x.Size);
        // The mask is stored already scaled (0 or 1/(1 − p)): one multiply forward, one backward.
        var mask = Tensor.Random(backend, x.Shape, RandomDistribution.Bernoulli, 1f - p, 0f, seed, stream);
        backend.Affine(mask.Buffer, mask.Buffer, 1f / (1f - p), 0f, x.Size);
        var y = Tensor.Empty(backend, x.Shape);
        backend.Binary(BinaryOp.Mul, x.Buffer, mask.Buffer, y.Buffer, same);
        Autograd.Record("Dropout", y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(backend, x.Shape);
            backend.Binary(BinaryOp.Mul, g.Buffer, mask.Buffer, dx.Buffer, same);
            return [dx];
        });
        if (!y.RequiresGrad) mask.Dispose();
        return y;
    }
}
