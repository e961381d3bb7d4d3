using System.Globalization;

namespace SparseCore.Models.IO;

/// <summary>
/// How pixels become the network's input, recorded in every checkpoint so that a program loading
/// the weights elsewhere need not guess: x = (pixel / 255 − Mean[c]) / Std[c] per channel c. The
/// engine's datasets feed pixel / 255 as it is (mean 0, std 1: <see cref="PixelUnit"/>); a guess of,
/// say, ImageNet's statistics instead fails silently (41 % → 13 % on a ResNet-20).
/// </summary>
public sealed record InputNormalization(float[] Mean, float[] Std)
{
    /// <summary>pixel / 255, neither shifted nor scaled: what every dataset of this engine feeds.</summary>
    public static InputNormalization PixelUnit(int channels) => new(new float[channels], Enumerable.Repeat(1f, channels).ToArray());

    public bool IsPixelUnit => Mean.All(m => m == 0f) && Std.All(s => s == 1f);

    /// <summary>Refuses a checkpoint trained on other inputs than this engine feeds; the error names <paramref name="option"/> and the file.</summary>
    public static void RequirePixelUnit(CheckpointInfo info, string path, string option)
    {
        if (info.Input is { IsPixelUnit: false } input)
            throw new ArgumentException($"{option}: {path} was trained on inputs normalised with {input}; this engine feeds pixel/255 unnormalised");
    }

    /// <summary>"0,0,0": the metadata text of one per-channel list.</summary>
    public static string Text(float[] values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>The per-channel list back from its text; null when a value is not a finite number.</summary>
    public static float[]? Parse(string text)
    {
        var parts = text.Split(',');
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                return null;
        return values;
    }

    public override string ToString() => $"mean {Text(Mean)}, std {Text(Std)} (x = (pixel/255 − mean) / std)";
}
