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
        "the file cannot be read from here on: check this line and the one above: indent "
        "with spaces (never tabs), write each field as 'name: value' with a space after the "
        "colon, and close every quote and bracket you open",
        "không đọc được tệp từ chỗ này: hãy kiểm tra dòng này và dòng trên: thụt lề bằng "
        "dấu cách (không dùng tab), viết mỗi trường dạng 'tên: giá trị' với một dấu cách sau "
        "dấu hai chấm, và đóng mọi dấu nháy, dấu ngoặc đã mở",
    ),
    "yaml_tab": (
        "there is a tab character here: YAML accepts only spaces for indentation; replace "
        "the tab with spaces (2 spaces for each level)",
        "ở đây có ký tự tab: YAML chỉ chấp nhận dấu cách để thụt lề; hãy thay tab bằng dấu "
        "cách (mỗi cấp 2 dấu cách)",
    ),
    "yaml_indentation": (
        "`{name}` does not line up with the lines above it: {fix}",
        "`{name}` không thẳng hàng với các dòng ở trên: {fix_vi}",
    ),
    "yaml_indented_under_value": (
        "`{name}` is indented more than `{above}` on line {line}, which already has a value, "
        "so YAML reads it as part of that value: {fix}",
        "`{name}` thụt lề nhiều hơn `{above}` ở dòng {line} (trường này đã có giá trị), nên "
        "YAML đọc nó là một phần của giá trị đó: {fix_vi}",
    ),
    "yaml_list_item": (
        "a list item ('- ') stands where a field ('name: value') is expected: write a list "
        "under its field, each item indented, e.g. 'tags:' and on the next line '  - mật ong'",
        "một mục danh sách ('- ') nằm ở chỗ cần một trường ('tên: giá trị'): hãy viết danh "
        "sách dưới trường của nó, mỗi mục thụt lề, ví dụ 'tags:' và ở dòng dưới "
        "'  - mật ong'",
    ),
    "yaml_colon_in_text": (
        "the text of `{name}:` holds ': ' (a colon and a space), which YAML reads as the start "
        "of a new field: put the whole text in double quotes: {example}",
        "văn bản của `{name}:` có ': ' (dấu hai chấm và dấu cách), YAML hiểu là bắt đầu một "
        "trường mới: hãy đặt cả câu trong dấu nháy kép: {example}",
    ),
    "yaml_no_colon": (
        "this line has no ':' after the field name: write 'name: value' (a colon, then a "
        "space); a text that goes on from the line above must be indented under its field, "
        "or written on one line",
        "dòng này không có dấu ':' sau tên trường: hãy viết 'tên: giá trị' (dấu hai chấm rồi "
        "một dấu cách); văn bản viết tiếp từ dòng trên phải thụt lề dưới trường của nó, hoặc "
        "viết trên một dòng",
    ),
    "yaml_unclosed_quote": (
        "the quote {quote} that opens the text here is never closed: end the text with "
        "{quote} on the same line",
        "dấu nháy {quote} mở đầu văn bản ở đây không được đóng: hãy kết thúc văn bản bằng "
        "{quote} trên cùng dòng",
    ),
    "yaml_quote_ends_early": (
        "something follows the closing quote on this line: a text that starts with a quote "
        "must end with it. Check the quotes on this line and the lines above, and put the "
        "whole text in quotes (inside \"…\" write a quote as \\\", inside '…' as '')",
        "có nội dung sau dấu nháy đóng ở dòng này: văn bản bắt đầu bằng dấu nháy thì phải "
        "kết thúc bằng dấu nháy đó. Hãy kiểm tra dấu nháy ở dòng này và các dòng trên, và "
        "đặt cả câu trong dấu nháy (trong \"…\" viết dấu nháy kép là \\\", trong '…' viết "
        "dấu nháy đơn là '')",
    ),
    "yaml_bad_escape": (
        "inside double quotes a backslash (\\) starts a special character, and '{escape}' "
        "is none: write the text in single quotes ('…') instead, or write the backslash "
        "twice (\\\\)",
        "trong dấu nháy kép, dấu gạch chéo ngược (\\) bắt đầu một ký tự đặc biệt, và "
        "'{escape}' không phải ký tự nào: hãy đặt văn bản trong dấu nháy đơn ('…'), hoặc viết "
        "dấu gạch chéo ngược hai lần (\\\\)",
    ),
    "yaml_unclosed_bracket": (
        "the bracket {bracket} opened on line {line} is not closed where expected: end it "
        "with {closing}, and put in quotes every text inside it that holds a comma, a colon "
        "or a bracket",
        "dấu ngoặc {bracket} mở ở dòng {line} không được đóng đúng chỗ: hãy đóng bằng "
        "{closing}, và đặt trong dấu nháy mọi văn bản bên trong có dấu phẩy, dấu hai chấm "
        "hoặc dấu ngoặc",
    ),
    "yaml_special_start": (
        "a text cannot start with {char} in YAML: put the whole text in double quotes",
        "trong YAML, văn bản không được bắt đầu bằng {char}: hãy đặt cả câu trong dấu "
        "nháy kép",
    ),
    "yaml_character": (
        "the file holds the character {char}, which YAML does not allow: delete it (it is "
        "usually invisible, so retype the words around it)",
        "tệp có ký tự {char}, YAML không cho phép ký tự này: hãy xóa nó (ký tự này thường "
        "không nhìn thấy được, nên hãy gõ lại các chữ quanh nó)",
    ),
    "number_unreadable": (
        "'{value}' cannot be read as a number: write the number in plain digits (a code or "
        "a very long number goes in quotes)",
        "không đọc được '{value}' thành số: hãy viết số bằng chữ số thông thường (mã số hoặc "
        "số rất dài thì đặt trong dấu nháy)",
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
    "record_symlink": (
        "{record} is read through the symbolic link {link}: nothing under catalog/ may be a "
        "link (the office's files must be edited there, under its review); replace the link "
        "by the file itself",
        "{record} được đọc qua liên kết tượng trưng (symlink) {link}: không tệp nào trong "
        "catalog/ được là liên kết (tệp của văn phòng OCOP phải được sửa tại chỗ, qua văn "
        "phòng xem xét); hãy thay liên kết bằng chính tệp đó",
    ),
    "office_team_missing": (
        "no office_team (the OCOP office's GitHub team) in site_config.yml, but the catalog "
        "has a register of decisions in {folder}/: no one would have to review a change of "
        "stars. Add it under `- ocop:`, e.g. office_team: \"@org/ocop-office\", then run "
        "`ocop codeowners`",
        "chưa khai báo office_team (nhóm GitHub của văn phòng OCOP) trong site_config.yml, "
        "trong khi danh mục có sổ quyết định {folder}/: không ai phải duyệt thay đổi số sao. "
        "Thêm vào phần `- ocop:`, ví dụ office_team: \"@to-chuc/van-phong-ocop\", rồi chạy "
        "`ocop codeowners`",
    ),
    "cache_committed": (
        "the build's cache {cache} has files committed to the repository ({files}): a build "
        "would publish them as what it drew or encoded itself (a pull request could put a "
        "label there that leads elsewhere), so nothing is built. Delete them from the "
        "repository and the disk (in the catalog's folder: {remove}, then commit){ignore}",
        "bộ nhớ đệm của bản dựng {cache} có tệp được commit vào kho mã ({files}): bản dựng "
        "sẽ xuất bản chúng như thể do chính nó vẽ hay mã hoá (một pull request có thể đặt ở "
        "đó một nhãn dẫn tới nơi khác), nên không dựng gì. Hãy xoá chúng khỏi kho mã và khỏi "
        "ổ đĩa (trong thư mục của catalog: {remove}, rồi commit){ignore_vi}",
    ),
    "site_committed": (
        "the built site's folder {cache} has files committed to the repository ({files}): "
        "a site and the spare kept beside it are what a build makes from the records, never "
        "what a pull request brings (a page there could be passed off as the catalog's). "
        "Delete them from the repository and the disk (in the catalog's folder: {remove}, "
        "then commit){ignore}",
        "thư mục trang web đã dựng {cache} có tệp được commit vào kho mã ({files}): trang "
        "web và bản dựng dự phòng để cạnh nó là thứ bản dựng tạo ra từ hồ sơ, không bao giờ "
        "do một pull request mang tới (một trang đặt ở đó có thể bị mạo nhận là trang của "
        "catalog). Hãy xoá chúng khỏi kho mã và khỏi ổ đĩa (trong thư mục của catalog: "
        "{remove}, rồi commit){ignore_vi}",
    ),
    "missing_record": (
        "this folder has no {record} file",
        "thư mục này không có tệp {record}",
    ),
    # --- structure and types ------------------------------------------------
    "missing": (
        "required field '{name}' is missing{where}: {fix}",
        "thiếu trường bắt buộc '{name}'{where_vi}: {fix_vi}",
    ),
    "misplaced_key": (
        "'{name}' is not a field at this level but one of `{parent}:` (line {line}): "
        "{move}indent it {spaces} spaces under `{parent}:`",
        "'{name}' không phải trường ở cấp này mà là trường của `{parent}:` (dòng {line}): "
        "hãy {move_vi}thụt vào {spaces} dấu cách dưới `{parent}:`",
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
        "'{value}' is not a whole number of đồng{reading}: a price is digits only, without "
        "dots, commas or currency: {fix}",
        "'{value}' không phải là số đồng nguyên{reading_vi}: giá chỉ gồm chữ số, không dấu "
        "chấm, dấu phẩy hay đơn vị tiền: {fix_vi}",
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
    "zalo": (
        "'{value}' is not a Zalo contact: write the Vietnamese phone number registered on Zalo "
        "(\"0912 345 678\" or \"+84 912 345 678\") or its link https://zalo.me/0912345678",
        "'{value}' không phải là liên hệ Zalo: hãy viết số điện thoại Việt Nam đã đăng ký Zalo "
        "(\"0912 345 678\" hoặc \"+84 912 345 678\") hoặc đường dẫn https://zalo.me/0912345678",
    ),
    "facebook_link": (
        "'{value}' is not a Facebook page: write its full https:// address on facebook.com "
        "or fb.com, e.g. https://www.facebook.com/ten-trang",
        "'{value}' không phải là trang Facebook: hãy viết địa chỉ đầy đủ https:// trên "
        "facebook.com hoặc fb.com, ví dụ https://www.facebook.com/ten-trang",
    ),
    "invalid": (
        "invalid value: {detail}",
        "giá trị không hợp lệ: {detail}",
    ),
    "date_range": (
        "{value} is not a plausible date: dates must be from {min} to {max}; check the year",
        "ngày {value} không hợp lý: ngày phải từ {min} đến {max}; hãy kiểm tra năm",
    ),
    "date_format": (
        "'{value}' is not written as a date (dates are written year-month-day, YYYY-MM-DD): "
        "{fix}",
        "'{value}' không được viết đúng dạng ngày (ngày viết theo năm-tháng-ngày, "
        "YYYY-MM-DD): {fix_vi}",
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
        "'{value}' is not a language code{hint}: write the language as a code of two or "
        "three lower-case letters (the site publishes {allowed})",
        "'{value}' không phải mã ngôn ngữ{hint_vi}: hãy viết ngôn ngữ bằng mã gồm hai hoặc ba "
        "chữ cái thường (trang xuất bản {allowed})",
    ),
    "wrong_language_code": (
        "'{value}' is not the language code of {lang_name}: write `{suggestion}:` instead "
        "of `{value}:`",
        "'{value}' không phải mã ngôn ngữ của {lang_name_vi}: hãy viết `{suggestion}:` thay "
        "cho `{value}:`",
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
    "lot_code": (
        "the lot code '{value}' holds '{char}', which a GS1 lot code (AI 10, on the barcode and "
        "in the QR link) cannot: use only letters A-Z and a-z without accents, digits and "
        "! \" % & ' ( ) * + , - . / : ; < = > ? _ (no spaces), at most 20 characters",
        "mã lô '{value}' có ký tự '{char}' mà mã lô GS1 (AI 10, trên mã vạch và trong liên kết "
        "QR) không cho phép: chỉ dùng chữ A-Z, a-z không dấu, chữ số và "
        "! \" % & ' ( ) * + , - . / : ; < = > ? _ (không có dấu cách), tối đa 20 ký tự",
    ),
    "duplicate_lot": (
        "the lot code '{value}' is listed twice for this product ({other}) and none of them is "
        "published yet: each lot needs its own code, as printed on its packs; correct the "
        "code of the lot that is wrong, or delete the repeated entry",
        "mã lô '{value}' được ghi hai lần cho sản phẩm này ({other}) và chưa lô nào được công "
        "bố: mỗi lô cần mã riêng, đúng như in trên bao bì; hãy sửa mã của lô ghi sai, hoặc "
        "xóa mục lặp lại",
    ),
    "taken_lot": (
        "the lot code '{value}' is already published for this product with other dates "
        "(produced {other}; published: {source}) and stays that lot's: give this lot the code "
        "printed on its own packs",
        "mã lô '{value}' đã được công bố cho sản phẩm này với ngày khác (ngày sản xuất "
        "{other}; bản công bố: {source}) và vẫn thuộc lô đó: hãy ghi cho lô này đúng mã in "
        "trên bao bì của nó",
    ),
    "lot_no_page": (
        "the lot code '{value}' holds one of / \" * : < > ? | \\ or is '.' or '..': it is a "
        "valid GS1 lot code, but a static web host cannot give it a page of its own, so its QR "
        "code opens the product page with 'no details for this lot'; if you can, choose codes "
        "of letters, digits and '-'",
        "mã lô '{value}' có một trong các ký tự / \" * : < > ? | \\ hoặc là '.' hay '..': "
        "đây là mã lô GS1 hợp lệ, nhưng máy chủ web tĩnh không tạo được trang riêng cho nó, nên "
        "mã QR của lô mở trang sản phẩm với dòng 'không có thông tin về lô này'; nếu được, hãy "
        "chọn mã chỉ gồm chữ, số và '-'",
    ),
    "link_https": (
        "'{value}' is not an https:// address: a test report is linked only over https:// "
        "(copy the address from the browser's address bar, starting https://)",
        "'{value}' không phải địa chỉ https://: phiếu kiểm nghiệm chỉ được liên kết qua "
        "https:// (hãy sao chép địa chỉ từ thanh địa chỉ của trình duyệt, bắt đầu bằng "
        "https://)",
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
        "the OCOP certificate of '{product}' expires on {value} ({days} days left): file the re-rating "
        "dossier 180 to 120 days before expiry",
        "giấy chứng nhận OCOP của '{product}' hết hạn ngày {value} (còn {days} ngày): cần nộp hồ sơ đánh giá "
        "lại từ 180 đến 120 ngày trước khi hết hạn",
    ),
    "cert_expired": (
        "the OCOP certificate of '{product}' expired on {value}: the product may no longer carry the OCOP "
        "mark until it is re-rated",
        "giấy chứng nhận OCOP của '{product}' đã hết hạn ngày {value}: sản phẩm không được dùng nhãn OCOP "
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
    # --- the digital product passport ----------------------------------------
    "gln_check_digit": (
        "GLN {value} has a wrong check digit: the last digit should be {expected}; copy the "
        "GLN from GS1 Vietnam's certificate",
        "mã GLN {value} sai số kiểm tra: chữ số cuối phải là {expected}; hãy chép lại mã GLN "
        "theo giấy chứng nhận của GS1 Việt Nam",
    ),
    "traceability_https": (
        "'{value}' is not an https:// address: the traceability record is linked only over "
        "https://; copy the address the provider or truyxuatnguongoc.gov.vn shows in the "
        "browser's address bar (starting https://)",
        "'{value}' không phải địa chỉ https://: hồ sơ truy xuất nguồn gốc chỉ được liên kết "
        "qua https://; hãy sao chép địa chỉ mà nhà cung cấp hoặc truyxuatnguongoc.gov.vn "
        "hiển thị trên thanh địa chỉ của trình duyệt (bắt đầu bằng https://)",
    ),
    "unknown_processing_commune": (
        "commune code '{value}' is not in the official list of communes and wards since "
        "1 July 2025{matches}: write the five-digit code, in quotes, of the commune or ward "
        "where the last processing stage is done (it may be in any province)",
        "mã xã '{value}' không có trong danh mục xã, phường chính thức từ 01/7/2025"
        "{matches_vi}: hãy ghi mã năm chữ số, trong dấu nháy, của xã, phường nơi thực hiện "
        "công đoạn chế biến cuối cùng (có thể ở tỉnh khác)",
    ),
    "processing_same_as_origin": (
        "the last processing stage is in commune {value}, the product's origin: "
        "'last_processing' is only for a place other than the origin; delete it",
        "công đoạn chế biến cuối cùng ở xã mã {value}, cũng là xuất xứ của sản phẩm: "
        "'last_processing' chỉ dùng khi nơi chế biến khác nơi xuất xứ; hãy xóa mục này",
    ),
    "duplicate_certification": (
        "the {type} certificate '{value}' is already listed (item {item} of "
        "'certifications'); keep one",
        "chứng nhận {type} số '{value}' đã được liệt kê (mục thứ {item} của "
        "'certifications'); chỉ giữ một",
    ),
    "certification_expired": (
        "the {type} certificate '{number}' expired on {value}: the product page shows it as "
        "expired; write the renewed certificate's number and dates, or delete it",
        "chứng nhận {type} số '{number}' đã hết hạn ngày {value}: trang sản phẩm sẽ ghi là "
        "đã hết hạn; hãy ghi số và ngày của chứng nhận đã gia hạn, hoặc xóa mục này",
    ),
    "safety_warning_missing": (
        "{what} must carry a safety warning ({law}): add 'safety_warning:' with the warning "
        "as the label prints it, per language, e.g. safety_warning: {{vi: \"{example}\", "
        "en: …}}",
        "{what_vi} phải có cảnh báo an toàn ({law_vi}): hãy thêm 'safety_warning:' ghi "
        "cảnh báo như in trên nhãn, theo từng ngôn ngữ, ví dụ safety_warning: "
        "{{vi: \"{example}\", en: …}}",
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
        "image '{value}' is not in this record's folder{hint}",
        "không tìm thấy ảnh '{value}' trong thư mục của hồ sơ này{hint_vi}",
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
    # --- the office's register of decisions ----------------------------------
    "certification_in_product": (
        "stars and certificates are no longer written in product.yml: the OCOP office "
        "records them from the decision in catalog/decisions/. Delete the whole "
        "'certification:' section; if the decision is not in the register yet, send its "
        "number and date to the OCOP office",
        "số sao và giấy chứng nhận không còn ghi trong product.yml: văn phòng OCOP ghi "
        "chúng theo quyết định trong catalog/decisions/. Hãy xóa cả mục 'certification:'; "
        "nếu quyết định chưa có trong sổ, hãy gửi số và ngày quyết định cho văn phòng OCOP",
    ),
    "no_decision": (
        "no decision in {folder}/ recognises '{value}' yet, so it is not published: "
        "the OCOP office adds the decision once the product is rated",
        "chưa có quyết định nào trong {folder}/ công nhận '{value}', nên sản phẩm chưa được "
        "đăng: văn phòng OCOP sẽ thêm quyết định khi sản phẩm được đánh giá, phân hạng",
    ),
    "decision_unknown_product": (
        "no product has the id '{value}'{hint}: write the id of a folder under "
        "products/<producer>/",
        "không có sản phẩm nào có id '{value}'{hint_vi}: hãy ghi id là tên một thư mục "
        "trong products/<chủ thể>/",
    ),
    "decision_product_twice": (
        "'{value}' is named twice in this decision (first on line {first_line}); "
        "keep one",
        "'{value}' được ghi hai lần trong quyết định này (lần đầu ở dòng {first_line}); "
        "chỉ giữ một",
    ),
    "decision_twice": (
        "decision {value} of the same date and issuer is already in {other}; keep one file",
        "quyết định {value} cùng ngày và cơ quan ban hành đã có trong {other}; chỉ giữ "
        "một tệp",
    ),
    "decision_empty": (
        "the decision lists no product: add 'recognises:' (products and their stars) or "
        "'revokes:' (products whose certificate is revoked)",
        "quyết định không có sản phẩm nào: hãy thêm 'recognises:' (sản phẩm được công "
        "nhận và số sao) hoặc 'revokes:' (sản phẩm bị thu hồi giấy chứng nhận)",
    ),
    "decision_criteria_missing": (
        "a decision that recognises products needs 'criteria_version' (1048/2019, "
        "148/2023 or 26/2026)",
        "quyết định công nhận sản phẩm cần có 'criteria_version' (1048/2019, 148/2023 "
        "hoặc 26/2026)",
    ),
    "decision_authority": (
        "a {level} decision cannot recognise {value} stars: 5 stars are recognised by the "
        "ministry, 3 and 4 stars by the province (3 stars also by a district, under "
        "148/2023 before 1 July 2025); check 'level' and 'stars'",
        "quyết định cấp {level} không thể công nhận {value} sao: 5 sao do Bộ công nhận, "
        "3 và 4 sao do tỉnh (3 sao còn do huyện, theo 148/2023, trước ngày 1/7/2025); "
        "hãy kiểm tra 'level' và 'stars'",
    ),
    "revoke_never_certified": (
        "'{value}' is revoked here, but no earlier decision in the register recognises it: "
        "add the decision that certified it",
        "'{value}' bị thu hồi ở đây nhưng chưa có quyết định nào trước đó trong sổ công "
        "nhận sản phẩm này: hãy thêm quyết định đã công nhận nó",
    ),
    "decision_file_ignored": (
        "{value} is not read: only the files of {folder}/ whose names end in .yml are "
        "decisions. If it is one, rename it {suggestion}; if it is not (a note, a scan), "
        "start its name with _",
        "{value} không được đọc: trong {folder}/ chỉ các tệp có tên kết thúc bằng .yml mới là "
        "quyết định. Nếu đây là quyết định, đổi tên thành {suggestion}; nếu không (ghi chú, "
        "bản quét), đặt tên bắt đầu bằng _",
    ),
    "revoke_already_revoked": (
        "'{value}' is revoked here, but its certificate was already revoked by {other} "
        "(taking effect {date}, in {source}): the first revocation holds; remove this one (to "
        "certify the product again, the office adds a new recognition)",
        "'{value}' bị thu hồi ở đây, nhưng chứng nhận của sản phẩm đã bị thu hồi bởi {other} "
        "(có hiệu lực từ {date}, trong {source}): lần thu hồi đầu tiên có hiệu lực; hãy bỏ lần "
        "này (muốn công nhận lại, văn phòng thêm một quyết định công nhận mới)",
    ),
    "decision_same_day": (
        "'{value}' is also recognised, differently (stars, score, code or dates), by a "
        "decision of the same day in {other}: which one holds cannot be told; keep one",
        "'{value}' cũng được công nhận, với nội dung khác (số sao, điểm, mã hoặc ngày), bởi "
        "một quyết định cùng ngày trong {other}: không xác định được quyết định nào có hiệu "
        "lực; chỉ giữ một",
    ),
    "decision_criteria_mismatch": (
        "'{value}' is rated under {version} by decision {number} ({decision}), but its record "
        "{source} gives the criteria set of {product_version}: update 'category' in {source}",
        "'{value}' được đánh giá theo {version} trong quyết định {number} ({decision}), nhưng "
        "hồ sơ {source} ghi bộ sản phẩm theo {product_version}: hãy cập nhật 'category' trong "
        "{source}",
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

#: Pieces of messages that vary with the case (how to fix it, where): (English,
#: Vietnamese) templates, filled by :func:`phrase` and passed to a message as a
#: parameter and its ``_vi`` twin.
PHRASES: dict[str, tuple[str, str]] = {
    # yaml_indentation, yaml_indented_under_value: where a line should start
    "indent_spaces": ("with {spaces} spaces, like `{name}` on line {line}",
                      "với {spaces} dấu cách, như `{name}` ở dòng {line}"),
    "indent_space": ("with 1 space, like `{name}` on line {line}",
                     "với 1 dấu cách, như `{name}` ở dòng {line}"),
    "indent_start": ("at the start of the line, like `{name}` on line {line}",
                     "sát đầu dòng, như `{name}` ở dòng {line}"),
    "indent_write": ("write it {options}", "hãy viết {options}"),
    "indent_or": (", or ", ", hoặc "),
    "indent_unknown": ("line it up with the fields it belongs with (2 spaces more for each "
                       "level)",
                       "hãy viết thẳng hàng với các trường cùng nhóm (mỗi cấp thêm 2 dấu cách)"),
    # missing: where the field is missing and how to add it
    "missing_top": ("", ""),
    "missing_in": (" in `{parent}:`", " trong `{parent}:`"),
    "missing_in_item": (" in item {item} of `{parent}:`", " trong mục thứ {item} của `{parent}:`"),
    "add_top": ("add `{name}:` at the start of a line, not indented",
                "hãy thêm `{name}:` sát đầu dòng, không thụt lề"),
    "add_under": ("add `{name}:` under `{parent}:`, indented {spaces} spaces",
                  "hãy thêm `{name}:` dưới `{parent}:`, thụt vào {spaces} dấu cách"),
    "add_in": ("add `{name}:` to `{parent}:`", "hãy thêm `{name}:` vào `{parent}:`"),
    "add_in_item": ("add `{name}:` to that item, lined up with its other fields",
                    "hãy thêm `{name}:` vào mục đó, thẳng hàng với các trường khác của mục"),
    # misplaced_key: a key written below the mapping it belongs to, not next to it
    "move_there": ("move it there and ", "chuyển nó về đó và "),
    # price_format
    "price_decimal": (" (YAML reads {value} as the decimal number {reading}, that is {amount} "
                      "đồng)",
                      " (YAML đọc {value} là số thập phân {reading}, tức là {amount} đồng)"),
    "write_digits": ("write {digits}", "hãy viết {digits}"),
    "price_example": ("e.g. 250000", "ví dụ 250000"),
    # date_format
    "write_date": ("write {iso} ({day} {month_name} {year})",
                   "hãy viết {iso} (ngày {day} tháng {month} năm {year})"),
    "date_example": ("e.g. 2025-11-20 for 20 November 2025",
                     "ví dụ 2025-11-20 cho ngày 20 tháng 11 năm 2025"),
    # photo_missing: a file whose name differs only in capitals or extension
    "photo_case": (": did you mean `{name}`? (a file name must match letter for letter, "
                   "capitals and extension included)",
                   ": có phải ý bạn là `{name}`? (tên tệp phải viết đúng từng chữ, kể cả chữ "
                   "hoa, chữ thường và phần đuôi)"),
    # unknown_language
    "language_hint": (" (did you mean `{code}:`?)", " (có phải ý bạn là `{code}:`?)"),
    "comma_hint": (
        " (a comma inside `{{…}}` ends the text there: put the text in quotes, "
        "`\"…, …\"`, or write each language on its own line)",
        " (dấu phẩy trong `{{…}}` cắt đoạn văn tại đó: hãy đặt đoạn văn trong dấu nháy "
        "`\"…, …\"`, hoặc viết mỗi ngôn ngữ trên một dòng riêng)"),
}

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def phrase(key: str, /, **params: Any) -> tuple[str, str]:
    """The English and Vietnamese :data:`PHRASES` ``key`` filled with ``params`` (a
    parameter ``x_vi`` is used in Vietnamese instead of ``x``)."""
    en, vi = PHRASES[key]
    values = _Defaults(params)
    return en.format_map(values), vi.format_map(_Vietnamese(values))


def phrase_params(param: str, key: str, /, **params: Any) -> dict[str, str]:
    """``{param: English, param_vi: Vietnamese}`` of :func:`phrase`, to pass to a message."""
    en, vi = phrase(key, **params)
    return {param: en, f"{param}_vi": vi}


#: Language keys people write for a language whose code is another (lower-cased).
LANGUAGE_TYPOS: dict[str, str] = {
    "vn": "vi", "vie": "vi", "viet": "vi", "vietnamese": "vi",
    "eng": "en", "english": "en", "anh": "en",
    "cn": "zh", "chn": "zh", "chi": "zh", "zho": "zh", "chinese": "zh",
    "jp": "ja", "jpn": "ja", "kr": "ko", "kor": "ko", "fra": "fr", "fre": "fr",
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


class _Vietnamese(dict):
    """Phrase parameters for the Vietnamese template: ``x`` is ``x_vi`` when given."""

    def __missing__(self, key: str) -> Any:
        return ""

    def __getitem__(self, key: str) -> Any:
        if f"{key}_vi" in self.keys():
            return dict.__getitem__(self, f"{key}_vi")
        return dict.__getitem__(self, key) if key in self.keys() else ""
