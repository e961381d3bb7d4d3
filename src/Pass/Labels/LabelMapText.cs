using System.Globalization;

namespace SparseCore.Pass.Labels;

/// <summary>A label mapping as a checkpoint's model.label_map holds it: the source class of each target class, comma-separated.</summary>
public static class LabelMapText
{
    /// <summary>The map in <paramref name="text"/>, each entry a distinct class of a <paramref name="sourceClasses"/>-way head.</summary>
    public static int[] Parse(string text, int sourceClasses)
    {
        ArgumentNullException.ThrowIfNull(text);
        var map = text.Split(',').Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c < sourceClasses ? c
            : throw new ArgumentException($"label map '{text}': '{v}' is not a class of the {sourceClasses}-way head")).ToArray();
        if (map.Distinct().Count() != map.Length) throw new ArgumentException($"label map '{text}': a source class is mapped twice");
        return map;
    }

    public static string Format(IEnumerable<int> map) => string.Join(",", map.Select(c => c.ToString(CultureInfo.InvariantCulture)));
}
