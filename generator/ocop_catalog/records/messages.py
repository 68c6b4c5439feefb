"""Every message the validator can give, in English and Vietnamese.

Producers are rarely programmers, so each message says what is wrong and what
is expected, in plain words, in both languages. A message is chosen by its
code and filled in with named parameters; ``{field}`` is always the dotted
field path.
"""

from __future__ import annotations

from typing import Any

#: code -> (English, Vietnamese)
MESSAGES: dict[str, tuple[str, str]] = {
    # --- reading the file -------------------------------------------------
    "file_unreadable": (
        "the file cannot be read as UTF-8 text ({detail})",
        "không đọc được tệp dưới dạng văn bản UTF-8 ({detail})",
    ),
    "yaml_syntax": (
        "YAML syntax error: {detail}. Check indentation, colons and quotes on this line "
        "or the line above",
        "lỗi cú pháp YAML: {detail}. Hãy kiểm tra thụt lề, dấu hai chấm và dấu nháy ở dòng "
        "này hoặc dòng trên",
    ),
    "yaml_tag": (
        "YAML tags such as {tag} are not allowed; write plain values",
        "không được dùng thẻ YAML như {tag}; hãy viết giá trị thông thường",
    ),
    "yaml_alias": (
        "YAML anchors and aliases (&name, *name, <<) are not allowed; write the value out",
        "không được dùng neo và bí danh YAML (&tên, *tên, <<); hãy viết đầy đủ giá trị",
    ),
    "yaml_too_deep": (
        "values are nested more than {max} levels deep here; records need only a few: "
        "check the indentation and the brackets [ ] {{ }}",
        "các giá trị lồng nhau quá {max} cấp ở đây; hồ sơ chỉ cần vài cấp: hãy kiểm tra "
        "thụt lề và các dấu ngoặc [ ] {{ }}",
    ),
    "file_too_large": (
        "the file is {size} KB; a {record} file may be at most {limit} KB: shorten its "
        "texts (no record needs more)",
        "tệp có dung lượng {size} KB; tệp {record} tối đa {limit} KB: hãy rút gọn nội dung "
        "(không hồ sơ nào cần nhiều hơn)",
    ),
    "yaml_key_type": (
        "keys must be plain names",
        "khóa phải là tên đơn giản",
    ),
    "yaml_duplicate_key": (
        "'{name}' is written twice (first on line {first_line}); keep one",
        "'{name}' bị viết hai lần (lần đầu ở dòng {first_line}); chỉ giữ một",
    ),
    "empty_file": (
        "the file is empty; expected the fields of a {record}",
        "tệp rỗng; cần các trường của {record}",
    ),
    "record_outside": (
        "{record} is a link to a file outside the repository; commit the file itself",
        "{record} là liên kết tới tệp nằm ngoài kho; hãy đưa chính tệp đó vào",
    ),
    "missing_record": (
        "this folder has no {record} file",
        "thư mục này không có tệp {record}",
    ),
    # --- structure and types ------------------------------------------------
    "missing": (
        "required field '{name}' is missing",
        "thiếu trường bắt buộc '{name}'",
    ),
    "unknown_key": (
        "unknown field '{name}'{hint}",
        "trường không hợp lệ '{name}'{hint_vi}",
    ),
    "wrong_type": (
        "expected {expected}, found {found}",
        "cần {expected_vi}, nhưng đang là {found_vi}",
    ),
    "unknown_value": (
        "'{value}' is not allowed{hint}; allowed: {allowed}",
        "giá trị '{value}' không hợp lệ{hint_vi}; các giá trị được phép: {allowed}",
    ),
    "out_of_range": (
        "{value} is out of range: it must be {limit}",
        "{value} nằm ngoài giới hạn: giá trị phải {limit_vi}",
    ),
    "too_short": (
        "'{name}' is too short: {length} {unit}, at least {min} needed",
        "'{name}' quá ngắn: {length} {unit_vi}, cần ít nhất {min}",
    ),
    "too_long": (
        "'{name}' is too long: {length} {unit}, at most {max} allowed; shorten it",
        "'{name}' quá dài: {length} {unit_vi}, tối đa {max}; hãy rút gọn",
    ),
    "pattern": (
        "'{value}' is not a valid {what}",
        "'{value}' không phải là {what_vi} hợp lệ",
    ),
    "missing_vi": (
        "the Vietnamese text (vi) is required",
        "bắt buộc phải có nội dung tiếng Việt (vi)",
    ),
    "link_scheme": (
        "'{value}' is not allowed: links must be full http:// or https:// addresses",
        "không chấp nhận '{value}': liên kết phải là địa chỉ đầy đủ http:// hoặc https://",
    ),
    "number_form": (
        "'{value}' is not a plain number: YAML 1.1 reads {form} ({value} = {reading}); "
        "write plain decimal digits, e.g. {suggestion}",
        "'{value}' không phải là số viết thông thường: YAML 1.1 hiểu {form_vi} "
        "({value} = {reading}); hãy chỉ viết chữ số thập phân, ví dụ {suggestion}",
    ),
    "number_yes_no": (
        "'{value}' is read by YAML as yes/no, not as a number: write the number in digits",
        "'{value}' được YAML đọc là có/không (true/false), không phải số: hãy viết số bằng "
        "chữ số",
    ),
    "number_not_finite": (
        "'{value}' is not a usable number (infinity and NaN are not allowed): write the "
        "number in digits",
        "'{value}' không phải là số dùng được (không chấp nhận vô cực và NaN): hãy viết số "
        "bằng chữ số",
    ),
    "price_format": (
        "'{value}' is not a whole number of đồng: write digits only, without dots, commas "
        "or currency (250000)",
        "'{value}' không phải là số đồng nguyên: chỉ viết chữ số, không dấu chấm, dấu phẩy "
        "hay đơn vị tiền (250000)",
    ),
    "quote_code": (
        "write '{name}' in quotes, e.g. \"08911\": without quotes YAML reads it as a number "
        "and leading zeros are lost",
        "hãy viết '{name}' trong dấu nháy, ví dụ \"08911\": nếu không, YAML đọc thành số và "
        "mất các chữ số 0 ở đầu",
    ),
    "email": (
        "'{value}' is not an e-mail address",
        "'{value}' không phải là địa chỉ e-mail",
    ),
    "invalid": (
        "invalid value: {detail}",
        "giá trị không hợp lệ: {detail}",
    ),
    "date_range": (
        "{value} is not a plausible date: dates must be from {min} to {max}; check the year",
        "ngày {value} không hợp lý: ngày phải từ {min} đến {max}; hãy kiểm tra năm",
    ),
    "date_impossible": (
        "'{value}' is not a real date (YYYY-MM-DD)",
        "'{value}' không phải là ngày có thật (YYYY-MM-DD)",
    ),
    # --- references and uniqueness -----------------------------------------
    "id_mismatch": (
        "id '{value}' must equal the folder name '{folder}'",
        "id '{value}' phải trùng với tên thư mục '{folder}'",
    ),
    "reserved_id": (
        "id '{value}' is used by the site itself (products/{value}/ holds the pages of the "
        "product list): choose another id",
        "id '{value}' đã được trang web dùng (products/{value}/ chứa các trang của danh sách "
        "sản phẩm): hãy chọn id khác",
    ),
    "unknown_producer": (
        "producer folder '{value}' has no valid producer.yml",
        "thư mục chủ thể '{value}' không có tệp producer.yml hợp lệ",
    ),
    "unknown_category": (
        "criteria set {value} does not exist: the OCOP criteria sets are numbered 1 to 26",
        "bộ sản phẩm {value} không tồn tại: các bộ sản phẩm OCOP được đánh số từ 1 đến 26",
    ),
    "unknown_commune": (
        "commune code '{value}' is not in catalog/regions.yml{hint}",
        "mã xã '{value}' không có trong catalog/regions.yml{hint_vi}",
    ),
    "unknown_province": (
        "province code '{value}' is not one of the 34 provinces and centrally-run cities "
        "since 1 July 2025{hint}: write the code of the official list in 'province: code:'",
        "mã tỉnh '{value}' không thuộc 34 tỉnh, thành phố trực thuộc trung ương từ 01/7/2025"
        "{hint_vi}: hãy ghi mã theo danh mục chính thức ở 'province: code:'",
    ),
    "unofficial_commune": (
        "commune code '{value}' is not in the official list of communes and wards since "
        "1 July 2025 (no such code, or one abolished in the 2025 rearrangement): write the "
        "code the list gives this commune, here and in the records that use it{matches}",
        "mã xã '{value}' không có trong danh mục xã, phường chính thức từ 01/7/2025 (mã không "
        "tồn tại hoặc đã bị bãi bỏ khi sắp xếp năm 2025): hãy ghi mã của xã này theo danh "
        "mục, ở đây và trong các hồ sơ dùng mã này{matches_vi}",
    ),
    "commune_other_province": (
        "commune code '{value}' is {official} of {other} in the official list, not a commune "
        "of {province} (province code {province_code}): check the code{matches}",
        "theo danh mục chính thức, mã xã '{value}' là {official} thuộc {other}, không thuộc "
        "{province} (mã tỉnh {province_code}): hãy kiểm tra lại mã{matches_vi}",
    ),
    "commune_name_differs": (
        "the official name of commune {value} is '{official}', not '{name}': write the "
        "official name (letter case and the place of the tone mark do not matter)",
        "tên chính thức của xã mã {value} là '{official}', không phải '{name}': hãy ghi "
        "đúng tên chính thức (không phân biệt chữ hoa, chữ thường và vị trí dấu thanh)",
    ),
    "unknown_legacy_district": (
        "former district '{value}' is not in catalog/regions.yml{hint}",
        "huyện cũ '{value}' không có trong catalog/regions.yml{hint_vi}",
    ),
    "legacy_district_mismatch": (
        "commune {commune} was not formed from former district '{value}' "
        "(regions.yml says: {expected})",
        "xã {commune} không được hình thành từ huyện cũ '{value}' "
        "(theo regions.yml: {expected})",
    ),
    "unknown_sales_point": (
        "sales point '{value}' is not in catalog/sales-points.yml{hint}",
        "điểm bán '{value}' không có trong catalog/sales-points.yml{hint_vi}",
    ),
    "unknown_language": (
        "'{value}' is not a language code: write the language as a code of two or three "
        "lower-case letters (the site publishes {allowed})",
        "'{value}' không phải mã ngôn ngữ: hãy viết ngôn ngữ bằng mã gồm hai hoặc ba chữ cái "
        "thường (trang xuất bản {allowed})",
    ),
    # --- the site's languages (site_config.yml) -----------------------------
    "unpublished_language": (
        "{count} text(s) in languages the site does not publish were ignored: {langs}, in "
        "{files} file(s). They stay in the files as written; to publish them, add the "
        "language to 'languages' in site_config.yml (now: {allowed})",
        "đã bỏ qua {count} văn bản bằng ngôn ngữ trang không xuất bản: {langs_vi}, trong "
        "{files} tệp. Các văn bản vẫn được giữ nguyên trong tệp; muốn xuất bản, hãy thêm ngôn "
        "ngữ vào 'languages' trong site_config.yml (hiện tại: {allowed})",
    ),
    "language_unsupported": (
        "language '{value}' is published (languages: {allowed}) but has {missing}; its "
        "pages would be in Vietnamese: add what is missing (docs/architecture.md, \"Add a "
        "language\") or take '{value}' out of languages",
        "ngôn ngữ '{value}' được xuất bản (languages: {allowed}) nhưng {missing_vi}; các trang "
        "bằng ngôn ngữ này sẽ hiện tiếng Việt: hãy bổ sung (docs/architecture.md, mục \"Add a "
        "language\") hoặc bỏ '{value}' khỏi languages",
    ),
    "duplicate_id": (
        "id '{value}' is also used by {other}: if one of them is already on the published "
        "site it keeps the id, the other needs a new one",
        "id '{value}' cũng được dùng cho {other}: sản phẩm nào đã có trên trang công bố thì "
        "giữ id này, sản phẩm kia cần id mới",
    ),
    "duplicate_gtin": (
        "GTIN {value} is also used by {other}: a GTIN belongs to one trade item; check the "
        "barcode printed on this product",
        "mã GTIN {value} cũng được dùng cho {other}: mỗi mã GTIN chỉ thuộc về một mặt hàng; "
        "hãy kiểm tra mã vạch in trên sản phẩm này",
    ),
    "duplicate_qr_code": (
        "QR code '{value}' is also used by {other}: the product whose code is already printed "
        "keeps it; the other one takes its own 'qr_code:' (4-10 characters of 0-9 and a-z "
        "without i, l, o, u)",
        "mã QR '{value}' cũng được dùng cho {other}: sản phẩm đã in mã này lên bao bì thì giữ "
        "mã; sản phẩm kia đặt 'qr_code:' riêng (4-10 ký tự 0-9 và a-z, trừ i, l, o, u)",
    ),
    "taken_id": (
        "id '{value}' belongs to the published product '{other}' (published: {source}); "
        "choose another id for this product",
        "id '{value}' thuộc về sản phẩm đã công bố '{other}' (bản công bố: {source}); "
        "hãy chọn id khác cho sản phẩm này",
    ),
    "taken_gtin": (
        "GTIN {value} belongs to the published product '{other}' (published: {source}); "
        "check the barcode printed on this product",
        "mã GTIN {value} thuộc về sản phẩm đã công bố '{other}' (bản công bố: {source}); "
        "hãy kiểm tra mã vạch in trên sản phẩm này",
    ),
    "taken_qr_code": (
        "QR code '{value}' is printed for the published product '{other}' (published: "
        "{source}) and stays theirs; give this product its own 'qr_code:' (4-10 characters "
        "of 0-9 and a-z without i, l, o, u) or, if its id made the code, another id",
        "mã QR '{value}' đã in cho sản phẩm đã công bố '{other}' (bản công bố: {source}) và "
        "vẫn thuộc về sản phẩm đó; hãy đặt cho sản phẩm này 'qr_code:' riêng (4-10 ký tự "
        "0-9 và a-z, trừ i, l, o, u) hoặc, nếu mã sinh ra từ id, đổi id khác",
    ),
    "qr_code_changed": (
        "the published product '{other}' has the QR code '{value}' printed on its packaging "
        "(published: {source}), but this record now gives it '{new}': keep the old id in "
        "'former_ids:' or write 'qr_code: {value}'",
        "sản phẩm đã công bố '{other}' có mã QR '{value}' in trên bao bì (bản công bố: "
        "{source}), nhưng bản ghi này đổi thành '{new}': hãy giữ id cũ trong 'former_ids:' "
        "hoặc ghi 'qr_code: {value}'",
    ),
    "duplicate_value": (
        "'{value}' is listed twice",
        "'{value}' bị liệt kê hai lần",
    ),
    # --- OCOP rules ----------------------------------------------------------
    "gtin_length": (
        "GTIN {value} has {length} digits; a GTIN has 8, 12, 13 or 14",
        "mã GTIN {value} có {length} chữ số; GTIN phải có 8, 12, 13 hoặc 14 chữ số",
    ),
    "gtin_check_digit": (
        "GTIN {value} has a wrong check digit: the last digit should be {expected}",
        "mã GTIN {value} sai số kiểm tra: chữ số cuối phải là {expected}",
    ),
    "stars_range": (
        "OCOP stars must be 3, 4 or 5 (1 and 2 stars are not certified), found {value}",
        "số sao OCOP phải là 3, 4 hoặc 5 (hạng 1 và 2 sao không được công nhận), đang là {value}",
    ),
    "stars_score_mismatch": (
        "a score of {score} gives {expected} stars, not {value} "
        "(5★ from 90, 4★ from 70, 3★ from 50 points)",
        "điểm {score} tương ứng {expected} sao, không phải {value} sao "
        "(5★ từ 90, 4★ từ 70, 3★ từ 50 điểm)",
    ),
    "score_not_certified": (
        "a score of {score} is below 50 points: such products are not OCOP certified",
        "điểm {score} dưới 50: sản phẩm như vậy không được công nhận OCOP",
    ),
    "date_future": (
        "{value} is in the future (today is {today})",
        "ngày {value} ở trong tương lai (hôm nay là {today})",
    ),
    "date_order": (
        "{value} is before {other_field} ({other})",
        "ngày {value} sớm hơn {other_field} ({other})",
    ),
    "criteria_version_date": (
        "a decision of {value} cannot use the criteria of {version} "
        "(in force {start} to {end})",
        "quyết định ngày {value} không thể dùng bộ tiêu chí {version} "
        "(áp dụng từ {start} đến {end})",
    ),
    "cert_expiring": (
        "the OCOP certificate expires on {value} ({days} days left): file the re-rating "
        "dossier 180 to 120 days before expiry",
        "giấy chứng nhận OCOP hết hạn ngày {value} (còn {days} ngày): cần nộp hồ sơ đánh giá "
        "lại từ 180 đến 120 ngày trước khi hết hạn",
    ),
    "cert_expired": (
        "the OCOP certificate expired on {value}: the product may no longer carry the OCOP "
        "mark until it is re-rated",
        "giấy chứng nhận OCOP đã hết hạn ngày {value}: sản phẩm không được dùng nhãn OCOP "
        "cho đến khi được đánh giá lại",
    ),
    "tourism_missing": (
        "criteria set 26 is a tourism service: add a 'tourism' section",
        "bộ sản phẩm 26 là dịch vụ du lịch: cần thêm mục 'tourism'",
    ),
    "tourism_only": (
        "'tourism' is only for tourism services (criteria set 26)",
        "mục 'tourism' chỉ dành cho dịch vụ du lịch (bộ sản phẩm 26)",
    ),
    "not_for_services": (
        "'{name}' does not apply to a tourism service; remove it",
        "'{name}' không áp dụng cho dịch vụ du lịch; hãy xóa",
    ),
    "price_missing": (
        "goods need a 'price' (amount in VND and unit)",
        "hàng hóa cần có 'price' (giá bằng VND và đơn vị tính)",
    ),
    # --- text ----------------------------------------------------------------
    "text_control": (
        "character {position} of the text is {char}, which is not allowed in text "
        "(control characters, text-direction overrides and non-characters): delete it; "
        "it is usually invisible, so retype the words around it",
        "ký tự thứ {position} của văn bản là {char}, loại ký tự không được phép trong văn "
        "bản (ký tự điều khiển, ký tự đảo chiều văn bản, ký tự không hợp lệ): hãy xóa nó; "
        "ký tự này thường không nhìn thấy được, nên hãy gõ lại các chữ quanh nó",
    ),
    "text_blank": (
        "the text shows nothing (only spaces or invisible characters such as zero-width "
        "spaces): write the text, or leave the translation out",
        "văn bản không hiển thị gì (chỉ có khoảng trắng hoặc ký tự vô hình như khoảng trắng "
        "độ rộng 0): hãy viết nội dung, hoặc bỏ bản dịch này",
    ),
    "text_line_break": (
        "character {position} of the text is a line break ({char}); this text must be one "
        "line: join the lines (after '|' or '>' YAML keeps a line break at the end: write "
        "the text on one line or use '>-')",
        "ký tự thứ {position} của văn bản là dấu xuống dòng ({char}); văn bản này phải nằm "
        "trên một dòng: hãy nối các dòng lại (sau '|' hoặc '>' YAML giữ dấu xuống dòng ở "
        "cuối: hãy viết trên một dòng hoặc dùng '>-')",
    ),
    "missing_translation": (
        "no {lang_name} text; Vietnamese will be shown instead",
        "chưa có bản {lang_name_vi}; trang sẽ hiển thị tiếng Việt thay thế",
    ),
    "markdown_html": (
        "raw HTML ({value}) is not allowed in Markdown text; use Markdown formatting",
        "không được dùng HTML ({value}) trong văn bản Markdown; hãy dùng định dạng Markdown",
    ),
    # --- photos --------------------------------------------------------------
    "photo_missing": (
        "image '{value}' is not in this record's folder",
        "không tìm thấy ảnh '{value}' trong thư mục của hồ sơ này",
    ),
    "photo_outside": (
        "photo '{value}' must be a file inside this folder (no '..', absolute paths or links "
        "leading out)",
        "ảnh '{value}' phải là tệp nằm trong thư mục này (không dùng '..', đường dẫn tuyệt đối "
        "hay liên kết ra ngoài)",
    ),
    "photo_svg": (
        "'{value}' is an SVG drawing; photos must be JPEG, PNG or WebP",
        "'{value}' là tệp SVG; ảnh phải ở định dạng JPEG, PNG hoặc WebP",
    ),
    "photo_not_image": (
        "'{value}' is not a readable image",
        "'{value}' không phải là ảnh đọc được",
    ),
    "photo_format": (
        "'{value}' is a {format} image; photos must be JPEG, PNG or WebP",
        "'{value}' là ảnh {format}; ảnh phải ở định dạng JPEG, PNG hoặc WebP",
    ),
    "photo_too_large": (
        "photo '{value}' is {size} MB; the limit is {limit} MB",
        "ảnh '{value}' có dung lượng {size} MB; giới hạn là {limit} MB",
    ),
    "photo_damaged": (
        "'{value}' cannot be decoded as a {format} image ({detail}): the file is cut off "
        "or damaged; export or copy the photo again",
        "không giải mã được '{value}' thành ảnh {format} ({detail}): tệp bị cắt cụt hoặc "
        "hỏng; hãy xuất hoặc sao chép lại ảnh",
    ),
    "photo_side_too_long": (
        "photo '{value}' is {width}×{height} px; each side may be at most {limit} px (the "
        "limit of the WebP images the site is built with): make it smaller",
        "ảnh '{value}' có kích thước {width}×{height} px; mỗi cạnh tối đa {limit} px (giới "
        "hạn của ảnh WebP mà trang web dùng): hãy thu nhỏ ảnh",
    ),
    "photo_too_many_pixels": (
        "photo '{value}' is {width}×{height} px ({megapixels} megapixels); "
        "the limit is {limit} megapixels",
        "ảnh '{value}' có kích thước {width}×{height} px ({megapixels} megapixel); "
        "giới hạn là {limit} megapixel",
    ),
    "photo_small": (
        "photo '{value}' is {width}×{height} px; marketplaces need at least {min}×{min}",
        "ảnh '{value}' có kích thước {width}×{height} px; sàn thương mại điện tử cần tối thiểu "
        "{min}×{min}",
    ),
    "photo_alt_missing": (
        "photo '{value}' has no description (alt text) for visitors who cannot see it",
        "ảnh '{value}' chưa có mô tả (alt) cho người không xem được ảnh",
    ),
}

#: Plain words for value types, for "expected X, found Y".
TYPE_WORDS: dict[str, tuple[str, str]] = {
    "text": ("text", "văn bản"),
    "whole number": ("a whole number", "số nguyên"),
    "number": ("a number", "số"),
    "date": ("a date (YYYY-MM-DD)", "ngày (YYYY-MM-DD)"),
    "date and time": ("a date with a time of day", "ngày kèm giờ"),
    "yes/no": ("yes or no", "có/không (true/false)"),
    "mapping": ("a set of fields (key: value)", "nhóm trường (khóa: giá trị)"),
    "list": ("a list (lines starting with '- ')", "danh sách (các dòng bắt đầu bằng '- ')"),
    "empty": ("nothing", "để trống"),
    "translations": (
        "a text or translations {vi: …, en: …}",
        "văn bản hoặc các bản dịch {vi: …, en: …}",
    ),
}

LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "vi": ("Vietnamese", "tiếng Việt"),
    "en": ("English", "tiếng Anh"),
    "zh": ("Chinese", "tiếng Trung"),
    "ko": ("Korean", "tiếng Hàn"),
    "ja": ("Japanese", "tiếng Nhật"),
    "fr": ("French", "tiếng Pháp"),
}


#: Longest value a message quotes; longer ones are cut with "…" (a record may hold
#: texts of thousands of characters, and a message only needs to show which one).
QUOTE_MAX = 200
_QUOTED = ("value", "name", "detail")


def render(code: str, params: dict[str, Any]) -> tuple[str, str]:
    """The English and Vietnamese message for ``code`` filled with ``params``."""
    en, vi = MESSAGES[code]
    values = _Defaults({key: _cut(value) if key in _QUOTED else value
                        for key, value in params.items()})
    return en.format_map(values), vi.format_map(values)


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > QUOTE_MAX:
        return value[:QUOTE_MAX - 1] + "…"
    return value


class _Defaults(dict):
    """Format parameters where a missing ``x_vi`` falls back to ``x``."""

    def __missing__(self, key: str) -> Any:
        if key.endswith("_vi") and key[:-3] in self:
            return self[key[:-3]]
        return ""
