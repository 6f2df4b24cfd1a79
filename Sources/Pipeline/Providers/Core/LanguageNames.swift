/// ISO 639-1 codes for the English language names some providers answer with (Whisper says "english").
enum LanguageNames {
    static let codes: [String: String] = [
        "afrikaans": "af", "arabic": "ar", "armenian": "hy", "azerbaijani": "az", "belarusian": "be", "bosnian": "bs",
        "bulgarian": "bg", "catalan": "ca", "chinese": "zh", "croatian": "hr", "czech": "cs", "danish": "da", "dutch": "nl",
        "english": "en", "estonian": "et", "finnish": "fi", "french": "fr", "galician": "gl", "german": "de", "greek": "el",
        "hebrew": "he", "hindi": "hi", "hungarian": "hu", "icelandic": "is", "indonesian": "id", "italian": "it",
        "japanese": "ja", "kannada": "kn", "kazakh": "kk", "korean": "ko", "latvian": "lv", "lithuanian": "lt",
        "macedonian": "mk", "malay": "ms", "marathi": "mr", "maori": "mi", "nepali": "ne", "norwegian": "no", "persian": "fa",
        "polish": "pl", "portuguese": "pt", "romanian": "ro", "russian": "ru", "serbian": "sr", "slovak": "sk",
        "slovenian": "sl", "spanish": "es", "swahili": "sw", "swedish": "sv", "tagalog": "tl", "tamil": "ta", "thai": "th",
        "turkish": "tr", "ukrainian": "uk", "urdu": "ur", "vietnamese": "vi", "welsh": "cy",
    ]

    /// The ISO 639-1 code for `name` (an English language name or already a code); nil when unknown.
    static func code(for name: String) -> String? {
        let key = name.lowercased()
        if key.count == 2 { return key }
        return codes[key]
    }
}
