using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace SparseCore.Cli;

/// <summary>
/// Numeric options whose parse errors speak the user's language: "--lr takes a number ≥ 0, got
/// 'abc'", not .NET's "expected type 'System.Single'". The range is part of the parse, so NaN, a
/// negative rate or a count past int's range is refused before anything runs.
/// </summary>
internal static class NumberOptions
{
    /// <summary>A finite real number ≥ <paramref name="min"/> (and &lt; <paramref name="below"/> when given).</summary>
    public static Option<float> Real(string name, string description, float @default, float min = 0f, float? below = null) =>
        Make(name, description, @default, RealTakes(min, below), text => ParseReal(text, min, below) is double v ? (float)v : null);

    /// <summary>An optional finite real number in [<paramref name="min"/>, <paramref name="below"/>); null when not given.</summary>
    public static Option<double?> OptionalReal(string name, string description, double min, double below) =>
        Make<double?>(name, description, null, RealTakes(min, below), text => ParseReal(text, min, below));

    /// <summary>A whole number ≥ <paramref name="min"/> that fits an int.</summary>
    public static Option<int> Whole(string name, string description, int @default, int min) =>
        Make(name, description, @default, WholeTakes(min), text => ParseWhole(text, min));

    /// <summary>An optional whole number ≥ <paramref name="min"/>; null when not given (the command picks a default).</summary>
    public static Option<int?> OptionalWhole(string name, string description, int min) =>
        Make<int?>(name, description, null, WholeTakes(min), text => ParseWhole(text, min));

    /// <summary>A seed: any whole number in [0, 2^64).</summary>
    public static Option<ulong> Seed(string name, string description) =>
        Make(name, description, 0UL, $"a whole number in [0, {ulong.MaxValue}]",
            text => ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v : (ulong?)null);

    private static Option<T> Make<T>(string name, string description, T @default, string takes, Func<string, object?> parse) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => @default,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0) return @default;
            string text = result.Tokens[^1].Value;
            if (parse(text) is T value) return value;
            result.AddError($"{name} takes {takes}, got '{text}'");
            return @default;
        },
    };

    private static double? ParseReal(string text, double min, double? below) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
        && v >= min && (below is not double b || v < b) && (float)v is var f && float.IsFinite(f) ? v : null;

    private static int? ParseWhole(string text, int min) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) && v >= min ? v : null;

    private static string RealTakes(double min, double? below) => below is double b
        ? string.Create(CultureInfo.InvariantCulture, $"a number in [{min}, {b})")
        : string.Create(CultureInfo.InvariantCulture, $"a number ≥ {min}");

    private static string WholeTakes(int min) => string.Create(CultureInfo.InvariantCulture, $"a whole number ≥ {min}");
}
