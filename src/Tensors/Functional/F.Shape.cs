namespace SparseCore.Tensors;

public static partial class F
{
    /// <summary>Same data, new shape (a view: no copy). One extent may be -1 (inferred).</summary>
    public static Tensor Reshape(Tensor x, params int[] dims) => Reshape(x, InferExtent(x.Shape, dims));

    public static Tensor Reshape(Tensor x, Shape shape)
    {
        var resolved = InferExtent(x.Shape, shape.Dims.ToArray());
        var y = x.ViewAs(resolved);
        Autograd.Record("Reshape", y, [x], (g, _) => [g.ViewAs(x.Shape)]);
        return y;
    }

    /// <summary>[N, ...] → [N, product of the rest].</summary>
    public static Tensor Flatten(Tensor x)
    {
        if (x.Rank < 1) throw new TensorShapeException("Flatten", $"needs at least one axis, got {x.Shape}");
        return Reshape(x, new Shape(x.Shape[0], x.Shape.Product(1, x.Rank)));
    }

    private static Shape InferExtent(Shape from, int[] to)
    {
        var dims = (int[])to.Clone();
        int unknown = Array.IndexOf(dims, -1);
        if (unknown >= 0)
        {
            if (Array.LastIndexOf(dims, -1) != unknown) throw new TensorShapeException("Reshape", $"only one extent may be -1, got {string.Join(",", dims)}");
            dims[unknown] = 1;
            long known = 1;
            foreach (int d in dims) known *= d;
            if (known == 0 || from.Size % known != 0)
                throw new TensorShapeException("Reshape", $"cannot infer -1 reshaping {from} to [{string.Join(", ", to)}]");
            dims[unknown] = (int)(from.Size / known);
        }
        var result = new Shape(dims);
        if (result.Size != from.Size)
            throw TensorShapeException.Mismatch("Reshape", from, result, "element counts differ");
        return result;
    }
}
