using SparseCore.Kernels.Layout;

namespace SparseCore.Tensors;

/// <summary>Layout ops (copies, not views): axis permutation, slice, concatenation, ViT patchify, the ResNet shortcut's subsample-and-pad.</summary>
public static partial class F
{
    /// <summary>y's axis k is x's axis perm[k] (rank ≤ 4).</summary>
    public static Tensor Permute(Tensor x, params int[] perm)
    {
        int rank = x.Rank;
        if (rank is < 1 or > 4 || perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
            throw new TensorShapeException("Permute", $"perm [{string.Join(", ", perm)}] must reorder the {rank} axes of {x.Shape} (rank 1 to 4)");
        var dims = x.Shape.Dims.ToArray();
        var yDims = perm.Select(p => dims[p]).ToArray();
        var inverse = new int[rank];
        for (int k = 0; k < rank; k++) inverse[perm[k]] = k;
        var y = Tensor.Empty(x.Backend, new Shape(yDims));
        x.Backend.Permute(x.Buffer, y.Buffer, dims, perm);
        Autograd.Record("Permute", y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.Permute(g.Buffer, dx.Buffer, yDims, inverse);
            return [dx];
        });
        return y;
    }

    /// <summary>Swaps two axes (a permutation; e.g. [B, T, heads, d] ↔ [B, heads, T, d] with axes 1, 2).</summary>
    public static Tensor Transpose(Tensor x, int axisA, int axisB)
    {
        int a = x.Shape.NormalizeAxis(axisA, "Transpose"), b = x.Shape.NormalizeAxis(axisB, "Transpose");
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(x, perm);
    }

    /// <summary>x[..., start : start + length, ...] along <paramref name="axis"/>.</summary>
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        int k = x.Shape.NormalizeAxis(axis, "Slice");
        if (length <= 0 || start < 0 || (long)start + length > x.Shape[k])
            throw new TensorShapeException("Slice", $"range [{start}, {(long)start + length}) must be non-empty and inside axis {k} of {x.Shape}");
        var dims = x.Shape.Dims.ToArray();
        dims[k] = length;
        var y = Tensor.Empty(x.Backend, new Shape(dims));
        int outer = x.Shape.Product(0, k), inner = x.Shape.Product(k + 1, x.Rank), extent = x.Shape[k];
        x.Backend.CopyAxis(x.Buffer, y.Buffer, AxisCopy.Slice(outer, extent, inner, start, length));
        Autograd.Record("Slice", y, [x], (g, _) =>
        {
            var dx = Tensor.Zeros(x.Backend, x.Shape);
            x.Backend.CopyAxis(g.Buffer, dx.Buffer, AxisCopy.Place(outer, length, inner, extent, start));
            return [dx];
        });
        return y;
    }

    /// <summary>
    /// x[:, :, ::stride, ::stride] with <paramref name="zeroChannels"/> zero channels appended:
    /// the CIFAR ResNets' option-A shortcut in one kernel (as a max-pool, a zeros tensor and a
    /// concatenation it was four passes and three launches). Exact: every element is copied or zero.
    /// </summary>
    public static Tensor SubsamplePad(Tensor x, int stride, int zeroChannels)
    {
        const string op = "SubsamplePad";
        if (x.Rank != 4) throw new TensorShapeException(op, $"needs x [N, C, H, W], got {x.Shape}");
        if (stride <= 0) throw new TensorShapeException(op, $"stride must be positive, got {stride}");
        if (zeroChannels < 0) throw new TensorShapeException(op, $"cannot append {zeroChannels} zero channels");
        var s = new SubsamplePadShape(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], x.Shape[1] + zeroChannels, stride);
        var y = Tensor.Empty(x.Backend, new Shape(s.N, s.OutC, s.OutH, s.OutW));
        x.Backend.SubsamplePad(x.Buffer, y.Buffer, s);
        Autograd.Record(op, y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.SubsamplePadBackward(g.Buffer, dx.Buffer, s);
            return [dx];
        });
        return y;
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; every other extent must agree.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> parts, int axis)
    {
        if (parts.Count == 0) throw new TensorShapeException("Concat", "needs at least one tensor");
        var first = parts[0];
        int k = first.Shape.NormalizeAxis(axis, "Concat");
        long total = 0;
        foreach (var p in parts)
        {
            CheckSameBackend("Concat", first, p);
            if (p.Rank != first.Rank || Enumerable.Range(0, p.Rank).Any(d => d != k && p.Shape[d] != first.Shape[d]))
                throw TensorShapeException.Mismatch("Concat", first.Shape, p.Shape, $"extents must agree except along axis {k}");
            total += p.Shape[k];
        }
        var dims = first.Shape.Dims.ToArray();
        dims[k] = checked((int)total);
        var y = Tensor.Empty(first.Backend, new Shape(dims));
        int outer = first.Shape.Product(0, k), inner = first.Shape.Product(k + 1, first.Rank);
        var offsets = new int[parts.Count];
        for (int i = 0, offset = 0; i < parts.Count; offset += parts[i].Shape[k], i++)
        {
            offsets[i] = offset;
            first.Backend.CopyAxis(parts[i].Buffer, y.Buffer, AxisCopy.Place(outer, parts[i].Shape[k], inner, dims[k], offset));
        }
        var inputs = parts.ToArray();
        Autograd.Record("Concat", y, inputs, (g, needs) =>
        {
            var grads = new Tensor?[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                if (!needs[i]) continue;
                grads[i] = Tensor.Empty(g.Backend, inputs[i].Shape);
                g.Backend.CopyAxis(g.Buffer, grads[i]!.Buffer, AxisCopy.Slice(outer, dims[k], inner, offsets[i], inputs[i].Shape[k]));
            }
            return grads;
        });
        return y;
    }

    /// <summary>
    /// Embedding-free ViT patchify: x [N, C, H, W] → [N, (H/p)·(W/p), C·p·p], patches row-major,
    /// columns ordered (c, ky, kx) so a Linear with a Conv2d patch weight reshaped to [E, C·p·p] is
    /// the conv embedding.
    /// </summary>
    public static Tensor Patchify(Tensor x, int patch)
    {
        if (x.Rank != 4) throw new TensorShapeException("Patchify", $"needs an image batch [N, C, H, W], got {x.Shape}");
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        if (patch <= 0 || h % patch != 0 || w % patch != 0)
            throw new TensorShapeException("Patchify", $"patch size {patch} must divide the height {h} and width {w} of {x.Shape}");
        var y = Tensor.Empty(x.Backend, new Shape(n, h / patch * (w / patch), c * patch * patch));
        x.Backend.Patchify(x.Buffer, y.Buffer, n, c, h, w, patch);
        Autograd.Record("Patchify", y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.PatchifyBackward(g.Buffer, dx.Buffer, n, c, h, w, patch);
            return [dx];
        });
        return y;
    }
}
