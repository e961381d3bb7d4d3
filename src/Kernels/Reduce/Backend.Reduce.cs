using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// Sum and max over the middle axis of x viewed as [outer, axis, inner], with their backwards.
/// Every output is summed in a fixed order, so results are bit-identical run after run.
/// </summary>
public abstract partial class Backend
{
    /// <summary>y[o,i] = scale·Σ_a x[o,a,i] over x viewed as [outer, axis, inner] (scale = 1/axis for a mean).</summary>
    public void ReduceSum(DeviceBuffer<float> x, DeviceBuffer<float> y, int outer, int axis, int inner, float scale = 1f)
    {
        CheckReduce("ReduceSum", outer, axis, inner);
        CheckLength("ReduceSum", "x", x, (long)outer * axis * inner); CheckLength("ReduceSum", "y", y, (long)outer * inner);
        using var profile = Profile(OpFamily.Reduction, 0, 4.0 * outer * inner * (axis + 1.0));
        RunReduceSum(x, y, outer, axis, inner, scale);
    }

    /// <summary>dx[o,a,i] = scale·dy[o,i].</summary>
    public void ReduceSumBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int outer, int axis, int inner, float scale = 1f)
    {
        CheckReduce("ReduceSumBackward", outer, axis, inner);
        CheckLength("ReduceSumBackward", "dy", dy, (long)outer * inner); CheckLength("ReduceSumBackward", "dx", dx, (long)outer * axis * inner);
        using var profile = Profile(OpFamily.Reduction, 0, 4.0 * outer * inner * (axis + 1.0));
        RunReduceSumBackward(dy, dx, outer, axis, inner, scale);
    }

    /// <summary>y[o,i] = max_a x[o,a,i] and argmax[o,i] = the first a attaining it.</summary>
    public void ReduceMax(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> argmax, int outer, int axis, int inner)
    {
        CheckReduce("ReduceMax", outer, axis, inner);
        CheckLength("ReduceMax", "x", x, (long)outer * axis * inner); CheckLength("ReduceMax", "y", y, (long)outer * inner);
        CheckLength("ReduceMax", "argmax", argmax, (long)outer * inner);
        using var profile = Profile(OpFamily.Reduction, 0, 4.0 * outer * inner * (axis + 2.0));
        RunReduceMax(x, y, argmax, outer, axis, inner);
    }

    /// <summary>dx[o,a,i] = dy[o,i] where a = argmax[o,i], else 0.</summary>
    public void ReduceMaxBackward(DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx, int outer, int axis, int inner)
    {
        CheckReduce("ReduceMaxBackward", outer, axis, inner);
        CheckLength("ReduceMaxBackward", "dy", dy, (long)outer * inner); CheckLength("ReduceMaxBackward", "argmax", argmax, (long)outer * inner);
        CheckLength("ReduceMaxBackward", "dx", dx, (long)outer * axis * inner);
        using var profile = Profile(OpFamily.Reduction, 0, 4.0 * outer * inner * (axis + 2.0));
        RunReduceMaxBackward(dy, argmax, dx, outer, axis, inner);
    }

    /// <summary>
    /// result[resultIndex] = #{i &lt; n : a[i] = b[i]} as a float (exact below 2²⁴): how many predictions
    /// match their labels, counted on the device so a training step need not download either.
    /// </summary>
    public void CountEqual(DeviceBuffer<int> a, DeviceBuffer<int> b, int n, DeviceBuffer<float> result, int resultIndex)
    {
        const string op = "CountEqual";
        if (n < 0 || n > 1 << 24) throw new ArgumentException($"{op}: n must be in [0, 2^24] (the count is a float), got {n}");
        CheckLength(op, "a", a, n); CheckLength(op, "b", b, n);
        CheckOwned(result, op);
        CheckRange(op, "result", result.Length, resultIndex, 1);
        using var profile = Profile(OpFamily.Reduction, 0, 8.0 * n + 4);
        RunCountEqual(a, b, n, result, resultIndex);
    }

    private static void CheckReduce(string op, int outer, int axis, int inner)
    {
        if (outer <= 0 || axis <= 0 || inner <= 0)
            throw new ArgumentException($"{op}: extents must be positive, got outer={outer}, axis={axis}, inner={inner}");
    }

    protected abstract void RunReduceSum(DeviceBuffer<float> x, DeviceBuffer<float> y, int outer, int axis, int inner, float scale);
    protected abstract void RunReduceSumBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int outer, int axis, int inner, float scale);
    protected abstract void RunReduceMax(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> argmax, int outer, int axis, int inner);
    protected abstract void RunReduceMaxBackward(DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx, int outer, int axis, int inner);
    protected abstract void RunCountEqual(DeviceBuffer<int> a, DeviceBuffer<int> b, int n, DeviceBuffer<float> result, int resultIndex);
}
