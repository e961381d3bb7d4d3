using System.Globalization;
using System.Text.Json;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Pass.Graph;

namespace SparseCore.Pass.Masks;

/// <summary>
/// masks.json: the channel masks a method chose, in one form for PASS and every baseline, so the
/// harness extracts and fine-tunes them alike and a person can read which channels survived.
/// <code>
/// {"model": "resnet20", "totalChannels": 688, "keptChannels": 344, "info": {"method": "pass", …},
///  "masks": [{"id": 0, "owner": "conv1", "layers": ["conv1"], "channels": 16, "kept": [0, 3, …]}, …]}
/// </code>
/// Kept channels are listed (ascending when written) rather than stored as 0/1 vectors: shorter, and
/// a kept set cannot hold a value other than 0 or 1. Reading checks the file against the channel
/// graph it is applied to: model, mask count, and each mask's owner and width, so masks chosen for
/// another network fail by field instead of pruning the wrong channels. "id", "layers",
/// "totalChannels" and "keptChannels" are written for readers and checked when present; other
/// fields are ignored.
/// </summary>
public static class MaskFile
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// <summary>Writes <paramref name="masks"/> (one 0/1 vector per distinct mask of <paramref name="graph"/>) atomically.</summary>
    public static void Write(string path, ChannelGraph graph, IReadOnlyList<float[]> masks, IReadOnlyDictionary<string, string>? info = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(graph);
        var kept = KeptChannels.Of(graph, masks, "masks.json");
        info ??= new Dictionary<string, string>();
        foreach (var (key, value) in info)
            if (value is null) throw new ArgumentException($"masks.json: info '{key}' is null; info values are strings", nameof(info));
        AtomicFile.Write(path, stream =>
        {
            using (var json = new Utf8JsonWriter(stream, Indented))
            {
                json.WriteStartObject();
                json.WriteString("model", graph.Model);
                json.WriteNumber("totalChannels", graph.TotalChannels);
                json.WriteNumber("keptChannels", kept.Sum(k => k.Length));
                json.WriteStartObject("info");
                foreach (var (key, value) in info) json.WriteString(key, value);
                json.WriteEndObject();
                json.WriteStartArray("masks");
                foreach (var mask in graph.Masks)
                {
                    json.WriteStartObject();
                    json.WriteNumber("id", mask.Id);
                    json.WriteString("owner", mask.Owner);
                    // Short lists stay on one line each (raw values are not re-indented).
                    json.WritePropertyName("layers");
                    json.WriteRawValue(JsonSerializer.Serialize(mask.Layers));
                    json.WriteNumber("channels", mask.Channels);
                    json.WritePropertyName("kept");
                    json.WriteRawValue("[" + string.Join(", ", kept[mask.Id].Select(c => c.ToString(CultureInfo.InvariantCulture))) + "]");
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        });
    }

    /// <summary>Reads a masks.json written for <paramref name="graph"/>; any problem is a <see cref="DataFormatException"/> naming the field.</summary>
    public static MaskFileContent Read(string path, ChannelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(graph);
        if (Directory.Exists(path)) throw new DataFormatException(path, "file", "is a directory, not a masks.json file");
        if (!File.Exists(path)) throw new DataFormatException(path, "file", "not found");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, "file", $"cannot be read: {e.Message}", e);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            string line = e.LineNumber is long n ? $" at line {n + 1}" : "";
            throw new DataFormatException(path, "json", $"malformed JSON{line}: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new DataFormatException(path, "json", $"is a JSON {root.ValueKind}, not an object with model and masks");
            string model = Required(path, root, "model", "model", JsonValueKind.String).GetString()!;
            if (model != graph.Model)
                throw new DataFormatException(path, "model", $"is '{model}', but the network is {graph.Model}");
            if (Optional(root, "totalChannels") is { } total && Integer(path, "totalChannels", total) != graph.TotalChannels)
                throw new DataFormatException(path, "totalChannels", $"is {total.GetRawText()}, but {graph.Model} has {graph.TotalChannels} channels over its distinct masks");

            var list = Required(path, root, "masks", "masks", JsonValueKind.Array);
            if (list.GetArrayLength() != graph.Masks.Count)
                throw new DataFormatException(path, "masks", $"has {list.GetArrayLength()} entries, but {graph.Model} has {graph.Masks.Count} distinct masks");
            var masks = new float[graph.Masks.Count][];
            int index = 0;
            foreach (var entry in list.EnumerateArray())
            {
                masks[index] = ReadMask(path, entry, graph.Masks[index]);
                index++;
            }

            int keptSum = masks.Sum(m => m.Count(v => v == 1f));
            if (Optional(root, "keptChannels") is { } keptCount && Integer(path, "keptChannels", keptCount) != keptSum)
                throw new DataFormatException(path, "keptChannels", $"is {keptCount.GetRawText()}, but the masks keep {keptSum} channels");
            return new MaskFileContent(masks, ReadInfo(path, root));
        }
    }

    private static float[] ReadMask(string path, JsonElement entry, ChannelMask spec)
    {
        string field = $"masks[{spec.Id}]";
        if (entry.ValueKind != JsonValueKind.Object)
            throw new DataFormatException(path, field, $"is a JSON {entry.ValueKind}, not an object with owner, channels and kept");
        if (Optional(entry, "id") is { } id && Integer(path, $"{field}.id", id) != spec.Id)
            throw new DataFormatException(path, $"{field}.id", $"is {id.GetRawText()}; masks are listed in graph order, so entry {spec.Id} has id {spec.Id}");
        string owner = Required(path, entry, "owner", $"{field}.owner", JsonValueKind.String).GetString()!;
        if (owner != spec.Owner)
            throw new DataFormatException(path, $"{field}.owner", $"is '{owner}', but mask {spec.Id} of the channel graph belongs to '{spec.Owner}'");
        if (Optional(entry, "layers") is { } layers && !SameLayers(layers, spec.Layers))
            throw new DataFormatException(path, $"{field}.layers", $"is {layers.GetRawText()}, but mask {spec.Id} covers {JsonSerializer.Serialize(spec.Layers)}");
        int channels = Integer(path, $"{field}.channels", Required(path, entry, "channels", $"{field}.channels", JsonValueKind.Number));
        if (channels != spec.Channels)
            throw new DataFormatException(path, $"{field}.channels", $"is {channels}, but '{spec.Owner}' has {spec.Channels} channels");

        var kept = Required(path, entry, "kept", $"{field}.kept", JsonValueKind.Array);
        var mask = new float[channels];
        int position = 0;
        foreach (var item in kept.EnumerateArray())
        {
            string itemField = $"{field}.kept[{position++}]";
            int c = Integer(path, itemField, item);
            if (c < 0 || c >= channels)
                throw new DataFormatException(path, itemField, $"channel {c} is out of range: '{spec.Owner}' has channels 0 to {channels - 1}");
            if (mask[c] == 1f)
                throw new DataFormatException(path, itemField, $"channel {c} is listed twice");
            mask[c] = 1f;
        }
        if (position == 0)
            throw new DataFormatException(path, $"{field}.kept", $"keeps no channel of '{spec.Owner}'; every mask keeps at least one");
        return mask;
    }

    private static bool SameLayers(JsonElement layers, IReadOnlyList<string> expected) =>
        layers.ValueKind == JsonValueKind.Array
        && layers.GetArrayLength() == expected.Count
        && layers.EnumerateArray().Zip(expected).All(p => p.First.ValueKind == JsonValueKind.String && p.First.GetString() == p.Second);

    private static Dictionary<string, string> ReadInfo(string path, JsonElement root)
    {
        var info = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Optional(root, "info") is not { } element) return info;
        if (element.ValueKind != JsonValueKind.Object)
            throw new DataFormatException(path, "info", $"is a JSON {element.ValueKind}; it must be an object of strings");
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new DataFormatException(path, $"info.{item.Name}", $"is a JSON {item.Value.ValueKind}; info values are strings");
            info[item.Name] = item.Value.GetString()!;
        }
        return info;
    }

    private static JsonElement Required(string path, JsonElement parent, string key, string field, JsonValueKind kind)
    {
        if (Optional(parent, key) is not { } element)
            throw new DataFormatException(path, field, "missing");
        if (element.ValueKind != kind)
            throw new DataFormatException(path, field, $"is a JSON {element.ValueKind}; expected a {kind}");
        return element;
    }

    private static JsonElement? Optional(JsonElement parent, string key) =>
        parent.TryGetProperty(key, out var element) ? element : null;

    private static int Integer(string path, string field, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n)
            ? n
            : throw new DataFormatException(path, field, $"is {value.GetRawText()}; expected an integer");
}
