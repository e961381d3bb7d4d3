namespace SparseCore.Kernels.Masked;

/// <summary>The formulas both backends share, so their penalties agree bit for bit.</summary>
internal static class ChannelPenaltyMath
{
    /// <summary>
    /// DepGraph's coefficient for a unit of norm <paramref name="norm"/> in a segment spanning
    /// [min, max]: (float)(λ·maxScale^((max − norm) / (max − min))), λ when max = min. Math.Pow and
    /// the double product are what the host computed before this moved to the device.
    /// </summary>
    public static float Coefficient(float lambda, double maxScale, double norm, double min, double max) =>
        (float)(lambda * (max > min ? Math.Pow(maxScale, (max - norm) / (max - min)) : 1));
}
