using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Norm;

namespace SparseCore.Kernels;

/// <summary>
/// Batch-norm (NCHW, per channel) and layer-norm (per row of [rows, cols]). The forwards save the
/// mean and the inverse standard deviation rstd = 1/√(var + eps) that the backwards read; every
/// sum runs in a fixed order (CPU: double accumulation; ILGPU: one group per channel or row and
/// a fixed shared-memory tree), so results are deterministic.
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// Training: mean and biased variance per channel over N·Spatial values; y = (x − mean)·rstd·γ + β;
    /// saveMean/saveRstd receive mean and rstd; the running statistics are updated as PyTorch does,
    /// running = (1 − momentum)·running + momentum·stat, with the unbiased variance.
    /// Evaluation: the running statistics normalise, saveMean/saveRstd receive them as mean and
    /// rstd, and the running buffers are only read.
    /// </summary>
    public void BatchNorm2d(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta,
                            DeviceBuffer<float> runningMean, DeviceBuffer<float> runningVar, DeviceBuffer<float> y,
                            DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd, BatchNormShape shape,
                            bool training, float momentum, float eps)
    {
        const string op = "BatchNorm2d";
        shape.Validate(op, training);
        CheckEps(op, eps);
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentException($"{op}: momentum must be in [0, 1], got {momentum}");
        CheckLength(op, "x", x, shape.Size); CheckLength(op, "y", y, shape.Size);
        CheckLength(op, "gamma", gamma, shape.C); CheckLength(op, "beta", beta, shape.C);
        CheckLength(op, "runningMean", runningMean, shape.C); CheckLength(op, "runningVar", runningVar, shape.C);
        CheckLength(op, "saveMean", saveMean, shape.C); CheckLength(op, "saveRstd", saveRstd, shape.C);
        using var profile = Profile(OpFamily.BatchNorm, 0, 8.0 * shape.Size);
        RunBatchNorm2d(x, gamma, beta, runningMean, runningVar, y, saveMean, saveRstd, shape, training, momentum, eps);
    }

    /// <summary>
    /// Batch-norm's running statistics folded into the conv before it, in one pass: per output channel
    /// co, s = rstd·γ with rstd = 1/√(var + eps) (<see cref="NormMath.Rstd"/>), w'[co, ·] = w[co, ·]·s
    /// and b'[co] = (b[co] − mean)·s + β (b = 0 without a conv bias) — the same float operations, in
    /// the same order, as the evaluation-mode batch-norm kernel applied to the bias followed by two
    /// multiplies, so the fold is bit for bit what those three launches gave.
    /// </summary>
    public void FoldBatchNorm(DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> gamma, DeviceBuffer<float> beta,
                              DeviceBuffer<float> runningMean, DeviceBuffer<float> runningVar, DeviceBuffer<float> foldedWeight,
                              DeviceBuffer<float> foldedBias, int channels, int perChannel, float eps)
    {
        const string op = "FoldBatchNorm";
        if (channels <= 0 || perChannel <= 0) throw new ArgumentException($"{op}: channels and weights per channel must be positive, got {channels} and {perChannel}");
        if ((long)channels * perChannel > int.MaxValue) throw new ArgumentException($"{op}: {channels}·{perChannel} weights exceed the int index range");
        CheckEps(op, eps);
        long size = (long)channels * perChannel;
        CheckLength(op, "weight", weight, size); CheckLength(op, "foldedWeight", foldedWeight, size);
        if (bias is not null) CheckLength(op, "bias", bias, channels);
        CheckLength(op, "gamma", gamma, channels); CheckLength(op, "beta", beta, channels);
        CheckLength(op, "runningMean", runningMean, channels); CheckLength(op, "runningVar", runningVar, channels);
        CheckLength(op, "foldedBias", foldedBias, channels);
        if (ReferenceEquals(weight.Storage, foldedWeight.Storage)) throw new ArgumentException($"{op}: weight and foldedWeight must be different buffers");
        using var profile = Profile(OpFamily.BatchNorm, 0, 8.0 * size + 4.0 * 6 * channels);
        RunFoldBatchNorm(weight, bias, gamma, beta, runningMean, runningVar, foldedWeight, foldedBias, channels, perChannel, eps);
    }

    /// <summary>
    /// From the saved mean and rstd: dβ = Σ dy, dγ = Σ dy·x̂ with x̂ = (x − mean)·rstd, and
    /// dx = γ·rstd·(dy − dβ/M − x̂·dγ/M) in training (M = N·Spatial; the statistics depend on x)
    /// or dx = γ·rstd·dy in evaluation (they are constants).
    /// </summary>
    public void BatchNorm2dBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma,
                                    DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd,
                                    DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta,
                                    BatchNormShape shape, bool training)
    {
        const string op = "BatchNorm2dBackward";
        shape.Validate(op, training);
        CheckLength(op, "x", x, shape.Size); CheckLength(op, "dy", dy, shape.Size); CheckLength(op, "dx", dx, shape.Size);
        CheckLength(op, "gamma", gamma, shape.C);
        CheckLength(op, "saveMean", saveMean, shape.C); CheckLength(op, "saveRstd", saveRstd, shape.C);
        CheckLength(op, "dgamma", dgamma, shape.C); CheckLength(op, "dbeta", dbeta, shape.C);
        using var profile = Profile(OpFamily.BatchNorm, 0, 12.0 * shape.Size);
        RunBatchNorm2dBackward(x, dy, gamma, saveMean, saveRstd, dx, dgamma, dbeta, shape, training);
    }

    /// <summary>Per row r of x[rows, cols]: y = (x − mean_r)·rstd_r·γ + β (biased variance, as PyTorch); saves mean and rstd per row.</summary>
    public void LayerNorm(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y,
                          DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd, int rows, int cols, float eps)
    {
        const string op = "LayerNorm";
        CheckRows(op, rows, cols);
        CheckEps(op, eps);
        CheckLength(op, "x", x, (long)rows * cols); CheckLength(op, "y", y, (long)rows * cols);
        CheckLength(op, "gamma", gamma, cols); CheckLength(op, "beta", beta, cols);
        CheckLength(op, "saveMean", saveMean, rows); CheckLength(op, "saveRstd", saveRstd, rows);
        using var profile = Profile(OpFamily.LayerNorm, 0, 8.0 * rows * cols);
        RunLayerNorm(x, gamma, beta, y, saveMean, saveRstd, rows, cols, eps);
    }

    /// <summary>
    /// With g = dy·γ: dx = rstd·(g − mean_c(g) − x̂·mean_c(g·x̂)) per row; dγ = Σ_r dy·x̂ and dβ = Σ_r dy,
    /// summed over rows in increasing order.
    /// </summary>
    public void LayerNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma,
                                  DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd,
                                  DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, int rows, int cols)
    {
        const string op = "LayerNormBackward";
        CheckRows(op, rows, cols);
        CheckLength(op, "x", x, (long)rows * cols); CheckLength(op, "dy", dy, (long)rows * cols); CheckLength(op, "dx", dx, (long)rows * cols);
        CheckLength(op, "gamma", gamma, cols);
        CheckLength(op, "saveMean", saveMean, rows); CheckLength(op, "saveRstd", saveRstd, rows);
        CheckLength(op, "dgamma", dgamma, cols); CheckLength(op, "dbeta", dbeta, cols);
        using var profile = Profile(OpFamily.LayerNorm, 0, 12.0 * rows * cols);
        RunLayerNormBackward(x, dy, gamma, saveMean, saveRstd, dx, dgamma, dbeta, rows, cols);
    }

    private static void CheckEps(string op, float eps)
    {
        if (!(eps > 0) || float.IsInfinity(eps)) throw new ArgumentException($"{op}: eps must be positive and finite, got {eps}");
    }

    protected abstract void RunFoldBatchNorm(DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> gamma, DeviceBuffer<float> beta,
                                             DeviceBuffer<float> runningMean, DeviceBuffer<float> runningVar, DeviceBuffer<float> foldedWeight,
                                             DeviceBuffer<float> foldedBias, int channels, int perChannel, float eps);
    protected abstract void RunBatchNorm2d(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta,
                                           DeviceBuffer<float> runningMean, DeviceBuffer<float> runningVar, DeviceBuffer<float> y,
                                           DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd, BatchNormShape shape,
                                           bool training, float momentum, float eps);
    protected abstract void RunBatchNorm2dBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma,
                                                   DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd,
                                                   DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta,
                                                   BatchNormShape shape, bool training);
    protected abstract void RunLayerNorm(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y,
                                         DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd, int rows, int cols, float eps);
    protected abstract void RunLayerNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma,
                                                 DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd,
                                                 DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, int rows, int cols);
}
