using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// Pointwise kernels (see <see cref="UnaryOp"/>, <see cref="BinaryOp"/>): fill, unary ops, binary ops
/// broadcast over [outer, mid, inner] (see <see cref="Broadcast"/>), axpby and affine. Element counts
/// may be 0 (nothing runs); the bias gradient db of <see cref="BinaryBackward"/> is summed in a fixed
/// order, so it is bit-identical run after run.
/// </summary>
public abstract partial class Backend
{
    /// <summary>y[0..Length) = value.</summary>
    public void Fill(DeviceBuffer<float> y, float value)
    {
        CheckOwned(y, "Fill");
        using var profile = Profile(OpFamily.Elementwise, 0, 4.0 * y.Length);
        if (y.Length > 0) RunFill(y, value);
    }

    /// <summary>y[i] = f(x[i]) for i &lt; n. y may be x.</summary>
    public void Unary(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, int n)
    {
        string name = $"Unary({op})";
        CheckCount(name, n);
        CheckLength(name, "x", x, n); CheckLength(name, "y", y, n);
        using var profile = Profile(OpFamily.Elementwise, 0, 8.0 * n);
        if (n > 0) RunUnary(op, x, y, n);
    }

    /// <summary>dx[i] = dy[i]·f'(x[i]); y is the forward output (sigmoid, tanh and exp read it).</summary>
    public void UnaryBackward(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int n)
    {
        string name = $"UnaryBackward({op})";
        CheckCount(name, n);
        CheckLength(name, "x", x, n); CheckLength(name, "y", y, n);
        CheckLength(name, "dy", dy, n); CheckLength(name, "dx", dx, n);
        using var profile = Profile(OpFamily.Elementwise, 0, 16.0 * n);
        if (n > 0) RunUnaryBackward(op, x, y, dy, dx, n);
    }

    /// <summary>y[o,m,i] = a[o,m,i] op b[m] (see <see cref="Broadcast"/>). y may be a.</summary>
    public void Binary(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, Broadcast shape)
    {
        string name = $"Binary({op})";
        shape.Validate(name);
        CheckLength(name, "a", a, shape.Total); CheckLength(name, "b", b, shape.Mid); CheckLength(name, "y", y, shape.Total);
        using var profile = Profile(OpFamily.Elementwise, 0, 12.0 * shape.Total);
        RunBinary(op, a, b, y, shape);
    }

    /// <summary>
    /// Gradients of <see cref="Binary"/>: da[o,m,i] = dy·∂y/∂a (written), db[m] = Σ_{o,i} dy·∂y/∂b
    /// (written), each in a fixed summation order. Either output may be null when not needed.
    /// </summary>
    public void BinaryBackward(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> dy,
                               DeviceBuffer<float>? da, DeviceBuffer<float>? db, Broadcast shape)
    {
        string name = $"BinaryBackward({op})";
        shape.Validate(name);
        CheckLength(name, "a", a, shape.Total); CheckLength(name, "b", b, shape.Mid); CheckLength(name, "dy", dy, shape.Total);
        if (da is not null) CheckLength(name, "da", da, shape.Total);
        if (db is not null) CheckLength(name, "db", db, shape.Mid);
        if (da is null && db is null) return;
        using var profile = Profile(OpFamily.Elementwise, 0, 20.0 * shape.Total);
        RunBinaryBackward(op, a, b, dy, da, db, shape);
    }

    /// <summary>y[i] = alpha·x[i] + beta·y[i] for i &lt; n; beta = 0 makes y write-only.</summary>
    public void Axpby(float alpha, DeviceBuffer<float> x, float beta, DeviceBuffer<float> y, int n)
    {
        CheckCount("Axpby", n);
        CheckLength("Axpby", "x", x, n); CheckLength("Axpby", "y", y, n);
        using var profile = Profile(OpFamily.Elementwise, 0, 12.0 * n);
        if (n > 0) RunAxpby(alpha, x, beta, y, n);
    }

    /// <summary>y[i] = scale·x[i] + shift for i &lt; n. y may be x.</summary>
    public void Affine(DeviceBuffer<float> x, DeviceBuffer<float> y, float scale, float shift, int n)
    {
        CheckCount("Affine", n);
        CheckLength("Affine", "x", x, n); CheckLength("Affine", "y", y, n);
        using var profile = Profile(OpFamily.Elementwise, 0, 8.0 * n);
        if (n > 0) RunAffine(x, y, scale, shift, n);
    }

    protected abstract void RunFill(DeviceBuffer<float> y, float value);
    protected abstract void RunUnary(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, int n);
    protected abstract void RunUnaryBackward(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int n);
    protected abstract void RunBinary(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, Broadcast shape);
    protected abstract void RunBinaryBackward(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> dy,
                                              DeviceBuffer<float>? da, DeviceBuffer<float>? db, Broadcast shape);
    protected abstract void RunAxpby(float alpha, DeviceBuffer<float> x, float beta, DeviceBuffer<float> y, int n);
    protected abstract void RunAffine(DeviceBuffer<float> x, DeviceBuffer<float> y, float scale, float shift, int n);
}
