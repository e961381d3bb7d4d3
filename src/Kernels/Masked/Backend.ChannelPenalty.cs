using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// Per-channel group penalties on the device (GrowReg's λ·‖w_c‖², DepGraph's γ-scaled group
/// norms): a parameter is viewed as [outer, channels, inner] — a layer's output rows are outer = 1,
/// a reader's input columns outer = its output count — and its channels are positions
/// [offset, offset + channels) of one concatenation over all masks. Reading weights and gradients
/// back to the host for these cost two stream drains per parameter per training step on a GPU.
/// Sums run in double in a fixed order, so both backends give the host loops' results.
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// sums[offset + c] = (<paramref name="accumulate"/> ? sums[offset + c] : 0) + Σ_o Σ_k w[o, c, k]²
    /// in double, o then k ascending, for c &lt; <paramref name="channels"/>: a channel's sum over
    /// several parameters is a chain of calls, the first without <paramref name="accumulate"/>.
    /// </summary>
    public void ChannelSquares(DeviceBuffer<float> w, int outer, int channels, int inner, DeviceBuffer<double> sums, int offset, bool accumulate)
    {
        const string op = "ChannelSquares";
        long n = CheckChannelShape(op, outer, channels, inner);
        CheckLength(op, "w", w, n);
        CheckOwned(sums, op);
        if (offset < 0 || (long)offset + channels > sums.Length)
            throw new ArgumentException($"{op}: offset {offset} + {channels} channels is outside sums' {sums.Length} elements", nameof(offset));
        using var profile = Profile(OpFamily.Reduction, 2.0 * n, 4.0 * n + 16.0 * channels);
        RunChannelSquares(w, outer, channels, inner, sums, offset, accumulate);
    }

    /// <summary>
    /// grad[o, c, k] += (<paramref name="scale"/>·coefficient[offset + c])·w[o, c, k] in float: the
    /// gradient of Σ_c scale·coefficient_c·‖w_c‖² / 2. The scale is a launch argument, so a
    /// coefficient that changes every step by one factor (GrowReg's 2λ) needs no upload.
    /// </summary>
    public void ChannelPenalty(DeviceBuffer<float> w, DeviceBuffer<float> grad, DeviceBuffer<float> coefficient, float scale,
                               int offset, int outer, int channels, int inner)
    {
        const string op = "ChannelPenalty";
        long n = CheckChannelShape(op, outer, channels, inner);
        CheckLength(op, "w", w, n);
        CheckLength(op, "grad", grad, n);
        CheckOwned(coefficient, op);
        if (offset < 0 || (long)offset + channels > coefficient.Length)
            throw new ArgumentException($"{op}: offset {offset} + {channels} channels is outside coefficient's {coefficient.Length} elements", nameof(offset));
        if (!float.IsFinite(scale)) throw new ArgumentException($"{op}: scale must be finite, got {scale}", nameof(scale));
        if (ReferenceEquals(grad.Storage, coefficient.Storage)) throw new ArgumentException($"{op}: grad must not be the coefficient buffer", nameof(grad));
        using var profile = Profile(OpFamily.Elementwise, 2.0 * n, 12.0 * n);
        RunChannelPenalty(w, grad, coefficient, scale, offset, outer, channels, inner);
    }

    /// <summary>
    /// DepGraph's per-channel coefficient λ·γ: per channel p its unit's norm I_p = √(Σ sums[m] over
    /// <paramref name="units"/>' members m of p, in order); per segment γ_p = maxScale^((I_max − I_p) /
    /// (I_max − I_min)), 1 when the segment's norms are all equal; coefficient[p] = (float)(λ·γ_p).
    /// A non-finite norm is not refused here (that would need a read-back): it is the training's
    /// divergence check that catches it.
    /// </summary>
    public void UnitScales(DeviceBuffer<double> sums, ChannelUnits units, float lambda, double maxScale, DeviceBuffer<float> coefficient)
    {
        const string op = "UnitScales";
        ArgumentNullException.ThrowIfNull(units);
        if (!ReferenceEquals(units.Backend, this)) throw new ArgumentException($"{op}: units belong to another backend instance", nameof(units));
        CheckLength(op, "sums", sums, units.Channels);
        CheckLength(op, "coefficient", coefficient, units.Channels);
        if (!(float.IsFinite(lambda) && lambda >= 0)) throw new ArgumentException($"{op}: lambda must be finite and ≥ 0, got {lambda}", nameof(lambda));
        if (!(double.IsFinite(maxScale) && maxScale >= 1)) throw new ArgumentException($"{op}: maxScale must be finite and ≥ 1, got {maxScale}", nameof(maxScale));
        using var profile = Profile(OpFamily.Reduction, 0, 24.0 * units.Channels);
        RunUnitScales(sums, units, lambda, maxScale, coefficient);
    }

    /// <summary>outer·channels·inner after checking each is ≥ 1 (the element count).</summary>
    private static long CheckChannelShape(string op, int outer, int channels, int inner)
    {
        if (outer < 1) throw new ArgumentException($"{op}: outer must be ≥ 1, got {outer}", nameof(outer));
        if (channels < 1) throw new ArgumentException($"{op}: channels must be ≥ 1, got {channels}", nameof(channels));
        if (inner < 1) throw new ArgumentException($"{op}: inner must be ≥ 1, got {inner}", nameof(inner));
        long n = (long)outer * channels * inner;
        if (n > int.MaxValue) throw new ArgumentException($"{op}: [{outer}, {channels}, {inner}] exceeds {int.MaxValue} elements", nameof(outer));
        return n;
    }

    protected abstract void RunChannelSquares(DeviceBuffer<float> w, int outer, int channels, int inner, DeviceBuffer<double> sums, int offset, bool accumulate);
    protected abstract void RunChannelPenalty(DeviceBuffer<float> w, DeviceBuffer<float> grad, DeviceBuffer<float> coefficient, float scale, int offset, int outer, int channels, int inner);
    protected abstract void RunUnitScales(DeviceBuffer<double> sums, ChannelUnits units, float lambda, double maxScale, DeviceBuffer<float> coefficient);
}
