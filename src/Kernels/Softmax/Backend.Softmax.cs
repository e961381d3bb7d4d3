using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// Row-wise softmax and log-softmax of [rows, cols], and the fused cross-entropy (log-softmax and
/// the label-smoothed loss in one pass, its gradient in one more).
/// </summary>
public abstract partial class Backend
{
    /// <summary>Row-wise (log-)softmax of x[rows, cols], numerically stable (max subtracted).</summary>
    public void Softmax(DeviceBuffer<float> x, DeviceBuffer<float> y, int rows, int cols, bool log)
    {
        CheckRows("Softmax", rows, cols);
        CheckLength("Softmax", "x", x, (long)rows * cols); CheckLength("Softmax", "y", y, (long)rows * cols);
        using var profile = Profile(OpFamily.SoftmaxLoss, 0, 8.0 * rows * cols);
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
        using var profile = Profile(OpFamily.SoftmaxLoss, 0, 12.0 * rows * cols);
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
        using var profile = Profile(OpFamily.SoftmaxLoss, 0, 8.0 * rows * cols);
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
        using var profile = Profile(OpFamily.SoftmaxLoss, 0, 8.0 * rows * cols);
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

    protected abstract void RunSoftmax(DeviceBuffer<float> x, DeviceBuffer<float> y, int rows, int cols, bool log);
    protected abstract void RunSoftmaxBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int rows, int cols, bool log);
    protected abstract void RunCrossEntropy(DeviceBuffer<float> logits, DeviceBuffer<int> labels, DeviceBuffer<float> logProbs,
                                            DeviceBuffer<float> loss, int rows, int cols, float smoothing);
    protected abstract void RunCrossEntropyBackward(DeviceBuffer<float> logProbs, DeviceBuffer<int> labels, DeviceBuffer<float> dloss,
                                                    DeviceBuffer<float> dlogits, int rows, int cols, float smoothing);
}
