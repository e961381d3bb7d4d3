using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Optim;
using SparseCore.Kernels.Random;

namespace SparseCore.Kernels;

/// <summary>The kernel half of the contract: public validated entry points, protected Run* bodies.</summary>
public abstract partial class Backend
{
    // ---- fill -----------------------------------------------------------------------------

    /// <summary>y[0..Length) = value.</summary>
    public void Fill(DeviceBuffer<float> y, float value)
    {
        CheckOwned(y, "Fill");
        if (y.Length > 0) RunFill(y, value);
    }

    /// <summary>
    /// y[i] = draw(seed, stream, i) for the distribution (A, B as documented on
    /// <see cref="RandomDistribution"/>); a pure function of (seed, stream, i) on every backend.
    /// </summary>
    public void FillRandom(DeviceBuffer<float> y, RandomDistribution distribution, float a, float b, ulong seed, ulong stream)
    {
        CheckOwned(y, "FillRandom");
        if (distribution == RandomDistribution.Normal && !(b >= 0))
            throw new ArgumentException($"FillRandom: normal standard deviation must be ≥ 0, got {b}");
        if (distribution == RandomDistribution.Bernoulli && !(a >= 0 && a <= 1))
            throw new ArgumentException($"FillRandom: Bernoulli probability must be in [0, 1], got {a}");
        if (y.Length > 0) RunFillRandom(y, distribution, a, b, seed, stream);
    }

    // ---- elementwise ----------------------------------------------------------------------

    /// <summary>y[i] = f(x[i]) for i &lt; n. y may be x.</summary>
    public void Unary(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, int n)
    {
        string name = $"Unary({op})";
        CheckCount(name, n);
        CheckLength(name, "x", x, n); CheckLength(name, "y", y, n);
        if (n > 0) RunUnary(op, x, y, n);
    }

    /// <summary>dx[i] = dy[i]·f'(x[i]); y is the forward output (sigmoid, tanh and exp read it).</summary>
    public void UnaryBackward(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int n)
    {
        string name = $"UnaryBackward({op})";
        CheckCount(name, n);
        CheckLength(name, "x", x, n); CheckLength(name, "y", y, n);
        CheckLength(name, "dy", dy, n); CheckLength(name, "dx", dx, n);
        if (n > 0) RunUnaryBackward(op, x, y, dy, dx, n);
    }

    /// <summary>y[o,m,i] = a[o,m,i] op b[m] (see <see cref="Broadcast"/>). y may be a.</summary>
    public void Binary(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, Broadcast shape)
    {
        string name = $"Binary({op})";
        shape.Validate(name);
        CheckLength(name, "a", a, shape.Total); CheckLength(name, "b", b, shape.Mid); CheckLength(name, "y", y, shape.Total);
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
        RunBinaryBackward(op, a, b, dy, da, db, shape);
    }

    /// <summary>y[i] = alpha·x[i] + beta·y[i] for i &lt; n; beta = 0 makes y write-only.</summary>
    public void Axpby(float alpha, DeviceBuffer<float> x, float beta, DeviceBuffer<float> y, int n)
    {
        CheckCount("Axpby", n);
        CheckLength("Axpby", "x", x, n); CheckLength("Axpby", "y", y, n);
        if (n > 0) RunAxpby(alpha, x, beta, y, n);
    }

    /// <summary>y[i] = scale·x[i] + shift for i &lt; n. y may be x.</summary>
    public void Affine(DeviceBuffer<float> x, DeviceBuffer<float> y, float scale, float shift, int n)
    {
        CheckCount("Affine", n);
        CheckLength("Affine", "x", x, n); CheckLength("Affine", "y", y, n);
        if (n > 0) RunAffine(x, y, scale, shift, n);
    }

    // ---- reductions -----------------------------------------------------------------------

    /// <summary>y[o,i] = scale·Σ_a x[o,a,i] over x viewed as [outer, axis, inner] (scale = 1/axis for a mean).</summary>
    public void ReduceSum(DeviceBuffer<float> x, DeviceBuffer<float> y, int outer, int axis, int inner, float scale = 1f)
    {
        CheckReduce("ReduceSum", outer, axis, inner);
        CheckLength("ReduceSum", "x", x, (long)outer * axis * inner); CheckLength("ReduceSum", "y", y, (long)outer * inner);
        RunReduceSum(x, y, outer, axis, inner, scale);
    }

    /// <summary>dx[o,a,i] = scale·dy[o,i].</summary>
    public void ReduceSumBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int outer, int axis, int inner, float scale = 1f)
    {
        CheckReduce("ReduceSumBackward", outer, axis, inner);
        CheckLength("ReduceSumBackward", "dy", dy, (long)outer * inner); CheckLength("ReduceSumBackward", "dx", dx, (long)outer * axis * inner);
        RunReduceSumBackward(dy, dx, outer, axis, inner, scale);
    }

    /// <summary>y[o,i] = max_a x[o,a,i] and argmax[o,i] = the first a attaining it.</summary>
    public void ReduceMax(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> argmax, int outer, int axis, int inner)
    {
        CheckReduce("ReduceMax", outer, axis, inner);
        CheckLength("ReduceMax", "x", x, (long)outer * axis * inner); CheckLength("ReduceMax", "y", y, (long)outer * inner);
        CheckLength("ReduceMax", "argmax", argmax, (long)outer * inner);
        RunReduceMax(x, y, argmax, outer, axis, inner);
    }

    /// <summary>dx[o,a,i] = dy[o,i] where a = argmax[o,i], else 0.</summary>
    public void ReduceMaxBackward(DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx, int outer, int axis, int inner)
    {
        CheckReduce("ReduceMaxBackward", outer, axis, inner);
        CheckLength("ReduceMaxBackward", "dy", dy, (long)outer * inner); CheckLength("ReduceMaxBackward", "argmax", argmax, (long)outer * inner);
        CheckLength("ReduceMaxBackward", "dx", dx, (long)outer * axis * inner);
        RunReduceMaxBackward(dy, argmax, dx, outer, axis, inner);
    }

    /// <summary>Element counts may be 0 (a no-op) but never negative: that is a caller's bug, not an empty call.</summary>
    private static void CheckCount(string op, int n)
    {
        if (n < 0) throw new ArgumentException($"{op}: element count must be ≥ 0, got {n}");
    }

    private static void CheckReduce(string op, int outer, int axis, int inner)
    {
        if (outer <= 0 || axis <= 0 || inner <= 0)
            throw new ArgumentException($"{op}: extents must be positive, got outer={outer}, axis={axis}, inner={inner}");
    }

    // ---- GEMM -----------------------------------------------------------------------------

    public void Gemm(in GemmSpec spec, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c)
    {
        if (spec.M <= 0 || spec.N <= 0 || spec.K <= 0 || spec.Batch <= 0)
            throw new ArgumentException($"Gemm {spec}: M, N, K and Batch must be positive");
        if (spec.StrideA < 0 || spec.StrideB < 0 || spec.StrideC < 0)
            throw new ArgumentException($"Gemm {spec}: strides must be ≥ 0");
        if (spec.Batch > 1 && spec.StrideC < (long)spec.M * spec.N)
            throw new ArgumentException($"Gemm {spec}: StrideC {spec.StrideC} makes the {spec.Batch} outputs overlap");
        CheckLength($"Gemm {spec}", "A", a, spec.RequiredA);
        CheckLength($"Gemm {spec}", "B", b, spec.RequiredB);
        CheckLength($"Gemm {spec}", "C", c, spec.RequiredC);
        RunGemm(spec, a, b, c);
    }

    // ---- softmax and loss -----------------------------------------------------------------

    /// <summary>Row-wise (log-)softmax of x[rows, cols], numerically stable (max subtracted).</summary>
    public void Softmax(DeviceBuffer<float> x, DeviceBuffer<float> y, int rows, int cols, bool log)
    {
        CheckRows("Softmax", rows, cols);
        CheckLength("Softmax", "x", x, (long)rows * cols); CheckLength("Softmax", "y", y, (long)rows * cols);
        RunSoftmax(x, y, rows, cols, log);
    }

    /// <summary>
    /// From the forward output y: softmax dx = y·(dy − Σ dy·y); log-softmax dx = dy − exp(y)·Σ dy.
    /// </summary>
    public void SoftmaxBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int rows, int cols, bool log)
    {
        CheckRows("SoftmaxBackward", rows, cols);
        CheckLength("SoftmaxBackward", "y", y, (long)rows * cols); CheckLength("SoftmaxBackward", "dy", dy, (long)rows * cols);
        CheckLength("SoftmaxBackward", "dx", dx, (long)rows * cols);
        RunSoftmaxBackward(y, dy, dx, rows, cols, log);
    }

    /// <summary>
    /// Fused cross-entropy: logProbs = log-softmax(logits) (kept for the backward) and
    /// loss[r] = −(1−ε)·logProbs[r, label] − ε/cols·Σ_c logProbs[r, c] (ε = label smoothing).
    /// Labels must lie in [0, cols): callers validate them on the host, where they come from.
    /// </summary>
    public void CrossEntropy(DeviceBuffer<float> logits, DeviceBuffer<int> labels, DeviceBuffer<float> logProbs,
                             DeviceBuffer<float> loss, int rows, int cols, float smoothing = 0f)
    {
        CheckRows("CrossEntropy", rows, cols);
        CheckSmoothing("CrossEntropy", smoothing);
        CheckLength("CrossEntropy", "logits", logits, (long)rows * cols); CheckLength("CrossEntropy", "labels", labels, rows);
        CheckLength("CrossEntropy", "logProbs", logProbs, (long)rows * cols); CheckLength("CrossEntropy", "loss", loss, rows);
        RunCrossEntropy(logits, labels, logProbs, loss, rows, cols, smoothing);
    }

    /// <summary>dlogits[r, c] = dloss[r]·(exp(logProbs[r, c]) − target[r, c]).</summary>
    public void CrossEntropyBackward(DeviceBuffer<float> logProbs, DeviceBuffer<int> labels, DeviceBuffer<float> dloss,
                                     DeviceBuffer<float> dlogits, int rows, int cols, float smoothing = 0f)
    {
        CheckRows("CrossEntropyBackward", rows, cols);
        CheckSmoothing("CrossEntropyBackward", smoothing);
        CheckLength("CrossEntropyBackward", "logProbs", logProbs, (long)rows * cols); CheckLength("CrossEntropyBackward", "labels", labels, rows);
        CheckLength("CrossEntropyBackward", "dloss", dloss, rows); CheckLength("CrossEntropyBackward", "dlogits", dlogits, (long)rows * cols);
        RunCrossEntropyBackward(logProbs, labels, dloss, dlogits, rows, cols, smoothing);
    }

    private static void CheckRows(string op, int rows, int cols)
    {
        if (rows <= 0 || cols <= 0) throw new ArgumentException($"{op}: rows and cols must be positive, got [{rows}, {cols}]");
    }

    private static void CheckSmoothing(string op, float smoothing)
    {
        if (!(smoothing >= 0 && smoothing < 1)) throw new ArgumentException($"{op}: label smoothing must be in [0, 1), got {smoothing}");
    }

    // ---- optimizers -----------------------------------------------------------------------

    /// <summary>One SGD step over n parameters; momentum may be null when hyper.Momentum is 0.</summary>
    public void SgdStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float>? momentum, in SgdHyper hyper, int n)
    {
        CheckCount("SgdStep", n);
        CheckLength("SgdStep", "param", param, n); CheckLength("SgdStep", "grad", grad, n);
        if (hyper.Momentum != 0)
        {
            if (momentum is null) throw new ArgumentException("SgdStep: momentum buffer is required when momentum ≠ 0");
            CheckLength("SgdStep", "momentum", momentum, n);
        }
        if (n > 0) RunSgdStep(param, grad, hyper.Momentum != 0 ? momentum : null, hyper, n);
    }

    public void AdamWStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float> m, DeviceBuffer<float> v, in AdamWHyper hyper, int n)
    {
        CheckCount("AdamWStep", n);
        CheckLength("AdamWStep", "param", param, n); CheckLength("AdamWStep", "grad", grad, n);
        CheckLength("AdamWStep", "m", m, n); CheckLength("AdamWStep", "v", v, n);
        if (hyper.Step < 1) throw new ArgumentException($"AdamWStep: step counts from 1, got {hyper.Step}");
        if (n > 0) RunAdamWStep(param, grad, m, v, hyper, n);
    }

    // ---- implementation hooks -------------------------------------------------------------

    protected abstract void RunFill(DeviceBuffer<float> y, float value);
    protected abstract void RunFillRandom(DeviceBuffer<float> y, RandomDistribution distribution, float a, float b, ulong seed, ulong stream);
    protected abstract void RunUnary(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, int n);
    protected abstract void RunUnaryBackward(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int n);
    protected abstract void RunBinary(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, Broadcast shape);
    protected abstract void RunBinaryBackward(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> dy,
                                              DeviceBuffer<float>? da, DeviceBuffer<float>? db, Broadcast shape);
    protected abstract void RunAxpby(float alpha, DeviceBuffer<float> x, float beta, DeviceBuffer<float> y, int n);
    protected abstract void RunAffine(DeviceBuffer<float> x, DeviceBuffer<float> y, float scale, float shift, int n);
    protected abstract void RunReduceSum(DeviceBuffer<float> x, DeviceBuffer<float> y, int outer, int axis, int inner, float scale);
    protected abstract void RunReduceSumBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int outer, int axis, int inner, float scale);
    protected abstract void RunReduceMax(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> argmax, int outer, int axis, int inner);
    protected abstract void RunReduceMaxBackward(DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx, int outer, int axis, int inner);
    protected abstract void RunGemm(in GemmSpec spec, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c);
    protected abstract void RunSoftmax(DeviceBuffer<float> x, DeviceBuffer<float> y, int rows, int cols, bool log);
    protected abstract void RunSoftmaxBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int rows, int cols, bool log);
    protected abstract void RunCrossEntropy(DeviceBuffer<float> logits, DeviceBuffer<int> labels, DeviceBuffer<float> logProbs,
                                            DeviceBuffer<float> loss, int rows, int cols, float smoothing);
    protected abstract void RunCrossEntropyBackward(DeviceBuffer<float> logProbs, DeviceBuffer<int> labels, DeviceBuffer<float> dloss,
                                                    DeviceBuffer<float> dlogits, int rows, int cols, float smoothing);
    protected abstract void RunSgdStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float>? momentum, in SgdHyper hyper, int n);
    protected abstract void RunAdamWStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float> m, DeviceBuffer<float> v, in AdamWHyper hyper, int n);
}
