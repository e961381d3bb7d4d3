using SparseCore.Kernels.Elementwise;

namespace SparseCore.Tensors;

/// <summary>The differentiable ops: each checks shapes, runs its kernel and records its backward.</summary>
public static partial class F
{
    public static Tensor Relu(Tensor x) => Unary(UnaryOp.Relu, x);
    public static Tensor Sigmoid(Tensor x) => Unary(UnaryOp.Sigmoid, x);
    public static Tensor Tanh(Tensor x) => Unary(UnaryOp.Tanh, x);
    public static Tensor Exp(Tensor x) => Unary(UnaryOp.Exp, x);
    public static Tensor Log(Tensor x) => Unary(UnaryOp.Log, x);
    public static Tensor Gelu(Tensor x) => Unary(UnaryOp.Gelu, x);
    public static Tensor Neg(Tensor x) => Unary(UnaryOp.Neg, x);

    public static Tensor Unary(UnaryOp op, Tensor x)
    {
        var y = Tensor.Empty(x.Backend, x.Shape);
        x.Backend.Unary(op, x.Buffer, y.Buffer, x.Size);
        Autograd.Record(op.ToString(), y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.UnaryBackward(op, x.Buffer, y.Buffer, g.Buffer, dx.Buffer, x.Size);
            return [dx];
        });
        return y;
    }

    /// <summary>
    /// a op b, where b has a's shape, one element, a's last extent (per column), or, with
    /// <paramref name="axis"/>, a's extent along that axis (per channel: axis 1 of NCHW).
    /// </summary>
    public static Tensor Add(Tensor a, Tensor b, int? axis = null) => Binary(BinaryOp.Add, a, b, axis);
    public static Tensor Sub(Tensor a, Tensor b, int? axis = null) => Binary(BinaryOp.Sub, a, b, axis);
    public static Tensor Mul(Tensor a, Tensor b, int? axis = null) => Binary(BinaryOp.Mul, a, b, axis);
    public static Tensor Div(Tensor a, Tensor b, int? axis = null) => Binary(BinaryOp.Div, a, b, axis);

    public static Tensor Binary(BinaryOp op, Tensor a, Tensor b, int? axis = null)
    {
        string name = op.ToString();
        CheckSameBackend(name, a, b);
        var shape = ResolveBroadcast(name, a.Shape, b.Shape, axis);
        var y = Tensor.Empty(a.Backend, a.Shape);
        a.Backend.Binary(op, a.Buffer, b.Buffer, y.Buffer, shape);
        Autograd.Record(name, y, [a, b], (g, needs) =>
        {
            var da = needs[0] ? Tensor.Empty(a.Backend, a.Shape) : null;
            var db = needs[1] ? Tensor.Empty(b.Backend, b.Shape) : null;
            a.Backend.BinaryBackward(op, a.Buffer, b.Buffer, g.Buffer, da?.Buffer, db?.Buffer, shape);
            return [da, db];
        });
        return y;
    }

    /// <summary>y = scale·x + shift.</summary>
    public static Tensor Affine(Tensor x, float scale, float shift = 0f)
    {
        var y = Tensor.Empty(x.Backend, x.Shape);
        x.Backend.Affine(x.Buffer, y.Buffer, scale, shift, x.Size);
        Autograd.Record("Affine", y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.Affine(g.Buffer, dx.Buffer, scale, 0f, x.Size);
            return [dx];
        });
        return y;
    }

    public static Tensor Scale(Tensor x, float scale) => Affine(x, scale);

    internal static Broadcast ResolveBroadcast(string op, Shape a, Shape b, int? axis)
    {
        if (axis is int ax)
        {
            int k = a.NormalizeAxis(ax, op);
            if (b.Rank != 1 || b[0] != a[k])
                throw TensorShapeException.Mismatch(op, a, b, $"rhs must be [{a[k]}] to broadcast along axis {k}");
            return new Broadcast(a.Product(0, k), a[k], a.Product(k + 1, a.Rank));
        }
        if (a == b) return Broadcast.Same(a.Size);
        if (b.Size == 1) return Broadcast.Scalar(a.Size);
        if (a.Rank >= 1 && b.Rank == 1 && b[0] == a[-1]) return Broadcast.PerColumn(a.Size / b[0], b[0]);
        throw TensorShapeException.Mismatch(op, a, b, "rhs must equal lhs, have one element, match lhs's last extent, or name a broadcast axis");
    }

    private static void CheckSameBackend(string op, Tensor a, Tensor b)
    {
        if (!ReferenceEquals(a.Backend, b.Backend))
            throw new ArgumentException($"{op}: operands live on different backends ({a.Backend.Name} and {b.Backend.Name})");
    }
}
