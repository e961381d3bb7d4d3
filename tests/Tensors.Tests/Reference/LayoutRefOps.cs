namespace SparseCore.Tensors.Tests.Reference;

/// <summary>Layout ops as plain index loops: permutation, slice, concatenation, ViT patchify, the ResNet shortcut's subsample-and-pad.</summary>
public static class LayoutRefOps
{
    /// <summary>y's axis k is x's axis perm[k].</summary>
    public static RefOp Permute(int[] dims, int[] perm)
    {
        int[] yDims = perm.Select(p => dims[p]).ToArray();
        var map = new int[dims.Aggregate(1, (a, b) => a * b)]; // y index → x index
        var xStride = new int[dims.Length];
        for (int a = dims.Length - 1, s = 1; a >= 0; s *= dims[a], a--) xStride[a] = s;
        for (int yi = 0; yi < map.Length; yi++)
        {
            int rest = yi, xi = 0;
            for (int k = yDims.Length - 1; k >= 0; k--)
            {
                xi += rest % yDims[k] * xStride[perm[k]];
                rest /= yDims[k];
            }
            map[yi] = xi;
        }
        return Gather("Permute", map, yDims);
    }

    /// <summary>x [outer, axis, inner] → [outer, length, inner] from <paramref name="start"/>.</summary>
    public static RefOp Slice(int[] dims, int axis, int start, int length)
    {
        int outer = dims[..axis].Aggregate(1, (a, b) => a * b), inner = dims[(axis + 1)..].Aggregate(1, (a, b) => a * b);
        var yDims = (int[])dims.Clone();
        yDims[axis] = length;
        var map = new int[outer * length * inner];
        for (int o = 0; o < outer; o++)
            for (int a = 0; a < length; a++)
                for (int i = 0; i < inner; i++) map[(o * length + a) * inner + i] = (o * dims[axis] + start + a) * inner + i;
        return Gather("Slice", map, yDims);
    }

    /// <summary>Concatenation of several inputs along an axis (their shapes in <paramref name="parts"/>).</summary>
    public static RefOp Concat(int[][] parts, int axis)
    {
        int outer = parts[0][..axis].Aggregate(1, (a, b) => a * b), inner = parts[0][(axis + 1)..].Aggregate(1, (a, b) => a * b);
        int total = parts.Sum(p => p[axis]);
        var yDims = (int[])parts[0].Clone();
        yDims[axis] = total;
        return new RefOp("Concat",
            xs =>
            {
                var y = new double[outer * total * inner];
                for (int p = 0, offset = 0; p < parts.Length; offset += parts[p][axis], p++)
                    for (int o = 0; o < outer; o++)
                        for (int a = 0; a < parts[p][axis]; a++)
                            for (int i = 0; i < inner; i++)
                                y[(o * total + offset + a) * inner + i] = xs[p].Data[(o * parts[p][axis] + a) * inner + i];
                return new RefTensor(y, yDims);
            },
            (xs, g) =>
            {
                var grads = new RefTensor[parts.Length];
                for (int p = 0, offset = 0; p < parts.Length; offset += parts[p][axis], p++)
                {
                    var d = new double[xs[p].Size];
                    for (int o = 0; o < outer; o++)
                        for (int a = 0; a < parts[p][axis]; a++)
                            for (int i = 0; i < inner; i++)
                                d[(o * parts[p][axis] + a) * inner + i] = g.Data[(o * total + offset + a) * inner + i];
                    grads[p] = new RefTensor(d, parts[p]);
                }
                return grads;
            });
    }

    /// <summary>x [n, c, h, w] → [n, (h/p)(w/p), c·p·p], patch (py, px) columns (c, ky, kx).</summary>
    public static RefOp Patchify(int n, int c, int h, int w, int p)
    {
        int wp = w / p, patches = h / p * wp, width = c * p * p;
        var map = new int[n * c * h * w];
        for (int img = 0; img < n; img++)
            for (int py = 0; py < h / p; py++)
                for (int px = 0; px < wp; px++)
                    for (int ch = 0; ch < c; ch++)
                        for (int ky = 0; ky < p; ky++)
                            for (int kx = 0; kx < p; kx++)
                                map[(img * patches + py * wp + px) * width + (ch * p + ky) * p + kx] =
                                    ((img * c + ch) * h + py * p + ky) * w + px * p + kx;
        return Gather("Patchify", map, [n, patches, width]);
    }

    /// <summary>y[j] = x[map[j]]; the backward scatters (adds) the gradient back.</summary>
    /// <summary>x[:, :, ::stride, ::stride] then <paramref name="zeroChannels"/> zero channels (map entry −1: a zero).</summary>
    public static RefOp SubsamplePad(int n, int c, int h, int w, int stride, int zeroChannels)
    {
        int oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1, outC = c + zeroChannels;
        var map = new int[n * outC * oh * ow];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < outC; ch++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                        map[((b * outC + ch) * oh + i) * ow + j] = ch < c ? ((b * c + ch) * h + i * stride) * w + j * stride : -1;
        return Gather("SubsamplePad", map, [n, outC, oh, ow]);
    }

    private static RefOp Gather(string name, int[] map, int[] yShape) => new(name,
        xs => new RefTensor(map.Select(i => i < 0 ? 0.0 : xs[0].Data[i]).ToArray(), yShape),
        (xs, g) =>
        {
            var dx = new double[xs[0].Size];
            for (int j = 0; j < map.Length; j++)
                if (map[j] >= 0) dx[map[j]] += g.Data[j];
            return [new RefTensor(dx, xs[0].Shape)];
        });
}
