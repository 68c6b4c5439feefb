/* ocop-catalog: the product form (contribute/, theme/ocop/form.html).
 *
 * Makes a product's folder, product.yml and its photos, in the browser: nothing is sent
 * anywhere, and the page works from any static host or from the disk (file://).
 *
 * - Every input names where its value goes in the product record (data-path, a JSON
 *   pointer). The record is checked as it is typed against the product's JSON Schema,
 *   the one `ocop validate` uses (assets/schema/product.schema.js, generated from the
 *   record model at build time), with Ajv (assets/vendor/ajv2020.min.js); each error is
 *   shown beside the input its path leads to, in the page's language (form.msg.* UI
 *   strings, given in #f-messages). A few rules the schema cannot say are checked here
 *   too: goods need a price, every photo a description, the commune must be the
 *   catalog's, and the producer id is an id.
 * - Photos are checked by their bytes (JPEG, PNG or WebP; HEIC refused with the fix),
 *   their size and their pixels against the catalog's limits, and named 1.jpg, 2.png…
 *   in their order, keeping the extension of their type. A JPEG loses its metadata (a
 *   phone's GPS position would otherwise go into a public repository), not a pixel.
 * - The YAML is written here, every string double-quoted (JSON's escapes are YAML's),
 *   a Markdown description as a literal block when that is safe.
 * - The folder downloads as a zip (stored, not compressed: photos do not compress)
 *   holding products/<producer>/<product>/…; when the catalog is on GitHub, a link
 *   opens GitHub's new-file page with the YAML. New products only: there is no link to
 *   edit a published product's file (the form would drop the fields it does not ask
 *   for, gtin, former_ids, qr_code…).
 *
 * - Ajv and the schema (the form's data-validator) are loaded when the visitor first
 *   reaches into the form (focus, touch, a key), not while the page loads: parsing Ajv and
 *   compiling the schema would block the page for a while on a phone. Until they are
 *   there, the record is written and shown but not sent; a folder asked for meanwhile
 *   goes once they are. Should they fail to load, the page shows its note instead of
 *   the form (.form-unavailable).
 *
 * window.OcopForm exposes the pure parts (toYaml, slugify, zip, sniff) for the tests,
 * and whenReady() (a promise of the validator, loading it if needed). */
(function () {
  "use strict";

  var PHOTO_TYPES = { jpg: "image/jpeg", png: "image/png", webp: "image/webp" };
  // ISO base media brands of HEIC/HEIF/AVIF images (as `ocop new` knows them)
  var HEIF_BRANDS = ["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs",
                     "mif1", "msf1", "avif", "avis"];
  var WEBP_MAX_SIDE = 16383;  // the build writes WebP, whose sides cannot be longer
  var SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

  // ---------------------------------------------------------------------------
  // Pure helpers
  // ---------------------------------------------------------------------------

  /** An id from a name: diacritics dropped (đ → d), lower case, words joined by "-". */
  function slugify(text) {
    var ascii = String(text || "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    var slug = ascii.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    if (slug.length > 64) slug = slug.slice(0, 64).replace(/-[^-]*$/, "").replace(/-+$/, "");
    return slug;
  }

  /** A YAML double-quoted scalar: JSON's string syntax is YAML's, and the characters a
   *  YAML reader might take for line breaks or refuse raw are escaped too. */
  function quote(text) {
    return JSON.stringify(String(text)).replace(
      /[\u007f-\u009f\u00ad\u2028\u2029\ufeff\ufff9-\uffff]/g, function (c) {
        return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4);
      });
  }

  /** A text over several lines as a YAML literal block (``|-``, its lines indented by
   *  ``indent``) when that keeps it exactly, else double-quoted. */
  function multiline(text, indent) {
    if (text.indexOf("\n") < 0) return quote(text);
    var plain = /^[\n\u0020-\u007e\u00a0-\u00ac\u00ae-\u2027\u202a-\ufefe\uff00-\ufff8]*$/;
    var surrogates = text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, "x");
    var safe = plain.test(surrogates.replace(/[\ud800-\udfff]/g, "\u0000"))
      && !/^[ \n]/.test(text) && !/[ ]$/m.test(text) && !/\n$/.test(text);
    if (!safe) return quote(text);
    return "|-\n" + text.split("\n").map(function (line) {
      return line ? indent + line : "";
    }).join("\n");
  }

  function scalar(value, indent) {
    if (typeof value === "number") return String(value);
    if (typeof value === "boolean") return value ? "true" : "false";
    return multiline(String(value), indent);
  }

  /** YAML of a record: mappings and lists in block style, keys as they are (they are the
   *  schema's names), every string quoted. ``schemaPath``: the modeline's schema. */
  function toYaml(record, schemaPath) {
    var out = [];
    if (schemaPath) out.push("# yaml-language-server: $schema=" + schemaPath);
    function isObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
    function emit(value, indent) {  // ``value`` a mapping, written at ``indent``
      Object.keys(value).forEach(function (key) {
        var v = value[key];
        if (isObject(v) && !Object.keys(v).length) {
          out.push(indent + key + ": {}");
        } else if (Array.isArray(v) && !v.length) {
          out.push(indent + key + ": []");
        } else if (isObject(v)) {
          out.push(indent + key + ":");
          emit(v, indent + "  ");
        } else if (Array.isArray(v)) {
          out.push(indent + key + ":");
          v.forEach(function (item) {
            if (isObject(item)) {
              var lines = [];
              var saved = out;
              out = lines;
              emit(item, indent + "    ");
              out = saved;
              lines.forEach(function (line, i) {
                out.push(i === 0 ? indent + "  - " + line.slice(indent.length + 4) : line);
              });
            } else {
              out.push(indent + "  - " + scalar(item, indent + "    "));
            }
          });
        } else {
          out.push(indent + key + ": " + scalar(v, indent + "  "));
        }
      });
    }
    emit(record, "");
    return out.join("\n") + "\n";
  }

  var CRC_TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes) {
    var c = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  /** A zip archive of ``files`` ([{name, data: Uint8Array}]), stored uncompressed, names
   *  in UTF-8, dated ``date`` (a Date; the zip format keeps local time to 2 s). */
  function zip(files, date) {
    var encoder = new TextEncoder();
    var d = date || new Date(1980, 0, 1);
    var dosTime = (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1);
    var dosDate = (Math.max(0, d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5)
      | d.getDate();
    var parts = [], central = [], offset = 0;
    files.forEach(function (file) {
      var name = encoder.encode(file.name), data = file.data, crc = crc32(data);
      var local = new DataView(new ArrayBuffer(30));
      local.setUint32(0, 0x04034b50, true);
      local.setUint16(4, 20, true);        // version needed: 2.0
      local.setUint16(6, 0x0800, true);    // names are UTF-8
      local.setUint16(8, 0, true);         // stored
      local.setUint16(10, dosTime, true);
      local.setUint16(12, dosDate, true);
      local.setUint32(14, crc, true);
      local.setUint32(18, data.length, true);
      local.setUint32(22, data.length, true);
      local.setUint16(26, name.length, true);
      local.setUint16(28, 0, true);
      var entry = new DataView(new ArrayBuffer(46));
      entry.setUint32(0, 0x02014b50, true);
      entry.setUint16(4, 0x0314, true);    // made by: Unix (so the mode below counts), 2.0
      entry.setUint16(6, 20, true);
      entry.setUint16(8, 0x0800, true);
      entry.setUint16(10, 0, true);
      entry.setUint16(12, dosTime, true);
      entry.setUint16(14, dosDate, true);
      entry.setUint32(16, crc, true);
      entry.setUint32(20, data.length, true);
      entry.setUint32(24, data.length, true);
      entry.setUint16(28, name.length, true);
      // extra field, comment, disk, internal attributes: 0; external: a regular file 0644
      entry.setUint32(38, 0x81a40000, true);
      entry.setUint32(42, offset, true);
      parts.push(new Uint8Array(local.buffer), name, data);
      central.push(new Uint8Array(entry.buffer), name);
      offset += 30 + name.length + data.length;
    });
    var size = central.reduce(function (n, part) { return n + part.length; }, 0);
    var end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true);
    end.setUint16(8, files.length, true);
    end.setUint16(10, files.length, true);
    end.setUint32(12, size, true);
    end.setUint32(16, offset, true);
    return new Blob(parts.concat(central, [new Uint8Array(end.buffer)]),
                    { type: "application/zip" });
  }

  function ascii(bytes, from, to) {
    return String.fromCharCode.apply(null, Array.prototype.slice.call(bytes, from, to));
  }

  /** What the first bytes of a file say it is: jpg, png, webp, heic, or null. */
  function sniff(bytes) {
    if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
      return "jpg";
    }
    if (bytes.length >= 8 && ascii(bytes, 0, 8) === "\x89PNG\r\n\x1a\n") return "png";
    if (bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") {
      return "webp";
    }
    if (bytes.length >= 12 && ascii(bytes, 4, 8) === "ftyp"
        && HEIF_BRANDS.indexOf(ascii(bytes, 8, 12)) >= 0) {
      return "heic";
    }
    return null;
  }

  /** The orientation (1–8) in an EXIF block (a TIFF structure), or 0. */
  function exifOrientation(t) {
    if (t.length < 8 || (t[0] !== 0x49 && t[0] !== 0x4d)) return 0;
    var le = t[0] === 0x49;
    function u16(o) { return le ? t[o] | (t[o + 1] << 8) : (t[o] << 8) | t[o + 1]; }
    var ifd = le ? (t[4] | (t[5] << 8) | (t[6] << 16) | (t[7] << 24)) >>> 0
      : ((t[4] << 24) | (t[5] << 16) | (t[6] << 8) | t[7]) >>> 0;
    if (ifd + 2 > t.length) return 0;
    for (var k = 0, n = u16(ifd); k < n; k++) {
      var entry = ifd + 2 + 12 * k;
      if (entry + 12 > t.length) return 0;
      if (u16(entry) === 0x0112) {
        var value = u16(entry + 8);
        return value >= 1 && value <= 8 ? value : 0;
      }
    }
    return 0;
  }

  /** A JPEG without its metadata: EXIF (with the phone's GPS position, the camera, the
   *  time), XMP, IPTC, comments, and the extra pictures some phones append (MPF). The
   *  image data is kept byte for byte, and so are the colour profile and an orientation
   *  other than upright (in a minimal EXIF block of its own). A file that cannot be
   *  followed is returned as it is. */
  function cleanJpeg(bytes) {
    if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return bytes;
    var head = [], orientation = 1, i = 2, dropped = false;
    for (;;) {
      if (i + 4 > bytes.length || bytes[i] !== 0xff) return bytes;
      var marker = bytes[i + 1];
      if (marker === 0xff) { i += 1; continue; }  // fill byte
      if (marker === 0xda) break;  // start of scan: the image data follows
      var end = i + 2 + ((bytes[i + 2] << 8) | bytes[i + 3]);
      if (end > bytes.length || end < i + 4) return bytes;
      var segment = bytes.subarray(i, end);
      var label = ascii(segment, 4, Math.min(segment.length, 16));
      if (marker === 0xe1 && label.indexOf("Exif\0\0") === 0) {
        orientation = exifOrientation(segment.subarray(10)) || 1;
        dropped = true;
      } else if (marker === 0xfe || marker === 0xe1 || (marker >= 0xe3 && marker <= 0xef
                 && marker !== 0xee) || (marker === 0xe2 && label.indexOf("MPF\0") === 0)) {
        dropped = true;  // comment, XMP, vendors' blocks, IPTC; MPF: its pictures go too
      } else {
        head.push(segment);  // JFIF, colour profile, Adobe, tables, frame
      }
      i = end;
    }
    // the image data ends at the first end-of-image marker (inside it 0xff is followed by
    // 0x00 or a restart marker); anything after it is another picture
    var stop = bytes.length;
    for (var j = i + 2; j + 1 < bytes.length; j++) {
      if (bytes[j] === 0xff && bytes[j + 1] === 0xd9) { stop = j + 2; break; }
    }
    if (!dropped && stop === bytes.length) return bytes;
    var parts = [bytes.subarray(0, 2)];
    var jfif = head.length && head[0][1] === 0xe0 ? [head.shift()] : [];
    parts = parts.concat(jfif);
    if (orientation !== 1) {
      var exif = new Uint8Array([0xff, 0xe1, 0, 34, 0x45, 0x78, 0x69, 0x66, 0, 0,
        0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1,
        0, orientation, 0, 0, 0, 0, 0, 0]);
      parts.push(exif);
    }
    parts = parts.concat(head, [bytes.subarray(i, stop)]);
    var out = new Uint8Array(parts.reduce(function (n, part) { return n + part.length; }, 0));
    parts.reduce(function (at, part) { out.set(part, at); return at + part.length; }, 0);
    return out;
  }

  /** ``template`` with each {name} replaced by ``params[name]``. */
  function fill(template, params) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return params && params[name] !== undefined ? String(params[name]) : whole;
    });
  }

  window.OcopForm = { slugify: slugify, toYaml: toYaml, quote: quote, zip: zip,
                      crc32: crc32, sniff: sniff, cleanJpeg: cleanJpeg };

  // ---------------------------------------------------------------------------
  // The page
  // ---------------------------------------------------------------------------

  var form = document.getElementById("product-form");
  if (!form) return;

  var messages = JSON.parse(document.getElementById("f-messages").textContent);
  var limits = {
    maxBytes: +form.getAttribute("data-max-bytes"),
    maxPixels: +form.getAttribute("data-max-pixels"),
    minSide: +form.getAttribute("data-min-side"),
    maxPhotos: +form.getAttribute("data-max-photos")
  };
  var languages = form.getAttribute("data-languages").split(" ");
  var validate = null;  // the schema's validator, once loaded (whenReady)
  var loading = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }

  /** The validator: Ajv and the schema loaded (once) and compiled, then the form checked. */
  function whenReady() {
    if (!loading) {
      loading = Promise.all(form.getAttribute("data-validator").split(" ").map(loadScript))
        .then(function () {
          var Ajv = window.ajv2020, schema = window.OCOP_PRODUCT_SCHEMA;
          if (!Ajv || !schema) throw new Error("the validator did not load");
          var ajv = new (Ajv.default || Ajv)({ allErrors: true, strict: false,
                                               validateFormats: false });
          validate = ajv.compile(schema);
          form.setAttribute("data-validator-ready", "");
          update();
        });
      loading.catch(function (err) {  // the page's note says what to do instead
        document.documentElement.classList.add("form-unavailable");
        if (window.console) console.warn(err);
      });
    }
    return loading;
  }
  window.OcopForm.whenReady = whenReady;
  var communes = {};
  Array.prototype.forEach.call(document.querySelectorAll("#f-communes option"), function (o) {
    communes[o.value] = o.textContent;
  });

  function $(id) { return document.getElementById(id); }
  function field(path) { return form.querySelector('[data-path="' + path + '"]'); }
  function value(path) {
    var el = field(path);
    return el ? el.value.trim() : "";
  }

  var photos = [];        // {file, bytes, ext, url, alt: {lang: text}}
  var photoErrors = [];   // why chosen files were not taken (shown, not blocking)
  var touched = {};       // paths the visitor has been at (their errors show)
  var showAll = false;    // after a try to download: every error shows
  var idEdited = false;   // the id was typed, not made from the name

  // -- the record --------------------------------------------------------------------

  function texts(name) {  // a translatable text: {vi: …, en: …} of the filled inputs
    var result = {};
    languages.forEach(function (lang) {
      var text = value("/" + name + "/" + lang);
      if (text) result[lang] = text;
    });
    return Object.keys(result).length ? result : undefined;
  }

  function whole(text) {  // digits: a whole number; anything else stays text (an error)
    if (!text) return undefined;
    return /^[0-9]{1,15}$/.test(text) ? parseInt(text, 10) : text;
  }

  function decimal(text) {
    if (!text) return undefined;
    return /^[0-9]{1,9}(\.[0-9]{1,6})?$/.test(text) ? parseFloat(text) : text;
  }

  function record() {
    var r = {};
    function put(key, v) { if (v !== undefined) r[key] = v; }
    put("id", value("/id") || undefined);
    put("name", texts("name"));
    put("summary", texts("summary"));
    put("description", texts("description"));
    var category = {criteria_version: value("/category/criteria_version")};
    var set = whole(value("/category/criteria_set"));
    if (set !== undefined) category.criteria_set = set;
    put("category", category);
    var origin = {};
    if (texts("origin/street")) origin.street = texts("origin/street");
    if (value("/origin/commune")) origin.commune = value("/origin/commune");
    put("origin", origin);
    var amount = whole(value("/price/amount")), unit = texts("price/unit");
    if (amount !== undefined || unit) {
      var price = {};
      if (amount !== undefined) price.amount = amount;
      if (unit) price.unit = unit;
      put("price", price);
    }
    var net = decimal(value("/net_content/value"));
    if (net !== undefined) put("net_content", {value: net, unit: value("/net_content/unit")});
    put("availability", value("/availability"));
    var shelf = whole(value("/shelf_life/value"));
    if (shelf !== undefined) put("shelf_life", {value: shelf, unit: value("/shelf_life/unit")});
    put("ingredients", texts("ingredients"));
    put("storage", texts("storage"));
    put("photos", photos.map(function (photo, i) {
      var item = {file: photoName(i)}, alt = {};
      languages.forEach(function (lang) {
        var text = (photo.alt[lang] || "").trim();
        if (text) alt[lang] = text;
      });
      if (Object.keys(alt).length) item.alt = alt;
      return item;
    }));
    var points = Array.prototype.filter.call(
      form.querySelectorAll("[data-sales-point]"), function (box) { return box.checked; }
    ).map(function (box) { return box.value; });
    if (points.length) r.sales_points = points;
    var tags = [];
    value("/tags").split(/[,，、;]/).forEach(function (tag) {
      tag = tag.trim();
      if (tag && tags.indexOf(tag) < 0) tags.push(tag);
    });
    if (tags.length) r.tags = tags;
    return r;
  }

  function photoName(index) { return (index + 1) + "." + photos[index].ext; }

  // -- errors ------------------------------------------------------------------------

  function message(key, params) {
    return fill(messages[key] || messages.invalid || key, params);
  }

  function at(data, path) {  // the value at a JSON pointer
    return path.split("/").slice(1).reduce(function (v, key) {
      return v === undefined || v === null ? undefined : v[key];
    }, data);
  }

  /** The schema's errors that say something to a person: of a value that may be one of
   *  several shapes (a text or {vi: …}; a price or nothing), only those of the shape it
   *  has; as (path, message key, params), paths leading to the missing property. */
  function schemaErrors(data) {
    if (!validate || validate(data)) return [];
    var found = [];
    validate.errors.forEach(function (e) {
      if (e.keyword === "anyOf" || e.keyword === "oneOf" || e.keyword === "if") return;
      if (e.keyword === "type") {
        var actual = at(data, e.instancePath);
        var kind = actual === null ? "null" : Array.isArray(actual) ? "array" : typeof actual;
        if (e.params.type === "null" || (kind === "object" && e.params.type !== "object")
            || (kind === "string" && e.params.type === "object")) {
          return;  // another shape's error
        }
      }
      var path = e.instancePath;
      if (e.keyword === "required") path += "/" + e.params.missingProperty;
      if (e.keyword === "additionalProperties") path += "/" + e.params.additionalProperty;
      found.push({path: path, keyword: e.keyword, params: e.params});
    });
    return found;
  }

  /** Every problem that keeps the folder from going: the schema's and the form's own
   *  rules, as {path, el (its input, or null), text}. */
  function problems(data) {
    var list = [];
    schemaErrors(data).forEach(function (e) {
      list.push({path: e.path, keyword: e.keyword, params: e.params});
    });
    var producer = value("producer");
    if (!producer) list.push({path: "producer", keyword: "required"});
    else if (!SLUG.test(producer) || producer.length < 2 || producer.length > 64) {
      list.push({path: "producer", keyword: "pattern"});
    }
    if (!data.price) list.push({path: "/price/amount", key: "price_missing"});
    var commune = data.origin && data.origin.commune;
    if (commune && /^[0-9]{5}$/.test(commune) && Object.keys(communes).length
        && !communes.hasOwnProperty(commune)) {
      list.push({path: "/origin/commune", key: "commune_unknown", params: {value: commune}});
    }
    Object.keys(data.description || {}).forEach(function (lang) {
      // the catalog refuses raw HTML in Markdown (<https://…> is a link, not a tag)
      if (/<(?![A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>)[A-Za-z!?\/]/.test(data.description[lang])) {
        list.push({path: "/description/" + lang, key: "markdown_html"});
      }
    });
    (data.photos || []).forEach(function (photo, i) {
      if (!photo.alt || !photo.alt.vi) list.push({path: "/photos/" + i + "/alt/vi",
                                                  key: "alt_missing"});
    });
    return list.map(function (p) {
      var el = inputFor(p.path);
      return {path: p.path, el: el, text: p.text || textOf(p, el)};
    }).sort(function (a, b) {  // in the order of the page
      if (a.el === b.el) return 0;
      if (!a.el || !b.el) return a.el ? -1 : 1;
      return a.el.compareDocumentPosition(b.el) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
  }

  var KEY_ATTRIBUTES = {pattern: "data-err-pattern", minLength: "data-err-min-length",
                        maxLength: "data-err-max-length", type: "data-err-type"};

  function textOf(problem, el) {
    if (problem.key) return message(problem.key, problem.params);
    if (problem.path === "/photos" && problem.keyword === "minItems") {
      return message("required");
    }
    var own = el && KEY_ATTRIBUTES[problem.keyword]
      && el.getAttribute(KEY_ATTRIBUTES[problem.keyword]);
    if (own) return message(own);
    var params = problem.params || {};
    return message(messages[problem.keyword] ? problem.keyword : "invalid",
                   {limit: params.limit, value: params.allowedValues});
  }

  /** The input a path leads to: its own, else the first one inside it, else the nearest
   *  one around it; null for a part of the record the form does not ask for. */
  function inputFor(path) {
    var el = field(path);
    if (el) return el;
    var inside = form.querySelectorAll("[data-path]");
    for (var i = 0; i < inside.length; i++) {
      if (inside[i].getAttribute("data-path").indexOf(path + "/") === 0) return inside[i];
    }
    while (path.lastIndexOf("/") > 0) {
      path = path.slice(0, path.lastIndexOf("/"));
      if (field(path)) return field(path);
    }
    return null;
  }

  function errorBox(el) {
    var id = el.getAttribute("aria-describedby") || "";
    var box = null;
    id.split(" ").forEach(function (part) {
      if (/-error$/.test(part)) box = $(part);
    });
    return box;
  }

  function labelOf(el) {
    var label = el.id && form.querySelector('label[for="' + el.id + '"]');
    var group = el.closest("fieldset");
    var legend = group && group.querySelector("legend");
    var photo = el.closest(".photo"), parts = [];
    if (photo) parts.push(photo.querySelector("[data-photo-file]").textContent);
    if (legend && legend.textContent.trim()) parts.push(legend.textContent.replace("*", "").trim());
    if (label && !(legend && group.contains(label) && group.classList.contains("checks"))) {
      parts.push(label.textContent.replace("*", "").trim());
    }
    return parts.join(" · ");
  }

  // -- showing -----------------------------------------------------------------------

  var current = [];

  function update() {
    var data = record();
    current = problems(data);
    var shown = {};
    current.forEach(function (p) {
      if (!p.el) return;  // listed with the others when the visitor tries to send
      var path = p.el.getAttribute("data-path");
      if (!(showAll || touched[path])) return;
      (shown[path] = shown[path] || {el: p.el, texts: []}).texts.push(p.text);
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-path]"), function (el) {
      var box = errorBox(el), found = shown[el.getAttribute("data-path")];
      if (found) {
        el.setAttribute("aria-invalid", "true");
        if (box) {
          box.textContent = found.texts.filter(function (t, i, all) {
            return all.indexOf(t) === i;
          }).join(" ");
          box.hidden = false;
        }
      } else {
        el.removeAttribute("aria-invalid");
        if (box) { box.hidden = true; box.textContent = ""; }
      }
    });
    if (photoErrors.length) {  // files not taken: said until other files are chosen
      var box = $("f-photos-error");
      box.textContent = photoErrors.concat(box.hidden ? [] : [box.textContent]).join(" ");
      box.hidden = false;
    }
    var yaml = toYaml(data, "../../../schema/product.schema.json");
    $("f-yaml").firstChild.textContent = yaml;
    $("f-status").textContent = !current.length ? message("ready")
      : showAll ? message("errors", {n: current.length}) : "";
    if (!current.length) $("f-errors").hidden = true;
    else if (showAll) listErrors();
    var name = communes[value("/origin/commune")];
    $("f-commune-name").textContent = name ? "= " + name : "";
    github(data, yaml);
  }

  function listErrors() {
    var list = $("f-errors");
    list.textContent = "";
    current.forEach(function (p) {
      var item = document.createElement("li");
      if (p.el) {
        var link = document.createElement("a");
        link.href = "#" + p.el.id;
        link.textContent = labelOf(p.el) + ": " + p.text;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          p.el.focus();
        });
        item.appendChild(link);
      } else {
        item.textContent = p.path.slice(1).replace(/\//g, " › ") + ": " + p.text;
      }
      list.appendChild(item);
    });
    list.hidden = false;
  }

  /** Whether the folder may go: else every error shows and the first input is focused. */
  function ready() {
    if (!validate) return false;
    showAll = true;
    update();
    if (!current.length) return true;
    listErrors();
    $("f-status").textContent = message("errors", {n: current.length});
    (current[0].el || $("f-errors")).focus();
    return false;
  }

  function github(data, yaml) {
    var create = $("f-github-new");
    if (!create) return;
    var producer = encodeURIComponent(value("producer")), product = data.id || "";
    create.href = form.getAttribute("data-github-new") + producer + "?filename="
      + encodeURIComponent(product + "/product.yml").replace(/%2F/g, "/")
      + "&value=" + encodeURIComponent(yaml);
    var note = $("f-long-url");
    note.hidden = create.href.length <= 8000;
    note.textContent = note.hidden ? "" : message("long_url");
  }

  // -- photos ------------------------------------------------------------------------

  function readBytes(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(new Uint8Array(reader.result)); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(file);
    });
  }

  function pixels(url) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve([img.naturalWidth, img.naturalHeight]); };
      img.onerror = reject;
      img.src = url;
    });
  }

  function megabytes(bytes) {
    return (Math.round(bytes / 104857.6) / 10).toLocaleString(document.documentElement.lang);
  }

  /** Take the chosen files that are usable photos; say why of the others. */
  function addPhotos(files) {
    photoErrors = [];
    var jobs = Array.prototype.map.call(files, function (file) {
      var name = file.name;
      if (/\.(heic|heif|hif)$/i.test(name)) {
        return Promise.resolve({error: message("photo_heic", {file: name})});
      }
      if (file.size > limits.maxBytes) {
        return Promise.resolve({error: message("photo_size", {
          file: name, size: megabytes(file.size), max: megabytes(limits.maxBytes)})});
      }
      return readBytes(file).then(function (bytes) {
        var kind = sniff(bytes.subarray(0, 16));
        if (kind === "heic") return {error: message("photo_heic", {file: name})};
        if (!kind) return {error: message("photo_type", {file: name})};
        if (kind === "jpg") bytes = cleanJpeg(bytes);
        var url = URL.createObjectURL(new Blob([bytes], {type: PHOTO_TYPES[kind]}));
        return pixels(url).then(function (size) {
          var w = size[0], h = size[1], error = null;
          if (Math.min(w, h) < limits.minSide) {
            error = message("photo_small", {file: name, width: w, height: h, min: limits.minSide});
          } else if (w * h > limits.maxPixels || Math.max(w, h) > WEBP_MAX_SIDE) {
            error = message("photo_pixels", {file: name, width: w, height: h});
          }
          if (error) {
            URL.revokeObjectURL(url);
            return {error: error};
          }
          return {photo: {file: name, bytes: bytes, ext: kind, url: url, alt: {}}};
        }, function () {
          URL.revokeObjectURL(url);
          return {error: message("photo_unreadable", {file: name})};
        });
      }, function () {
        return {error: message("photo_unreadable", {file: name})};
      });
    });
    return Promise.all(jobs).then(function (results) {
      results.forEach(function (result) {
        if (result.error) photoErrors.push(result.error);
        else if (photos.length >= limits.maxPhotos) {
          URL.revokeObjectURL(result.photo.url);
          if (photoErrors.indexOf(message("photo_count", {max: limits.maxPhotos})) < 0) {
            photoErrors.push(message("photo_count", {max: limits.maxPhotos}));
          }
        } else photos.push(result.photo);
      });
      touched["/photos"] = true;
      renderPhotos();
    });
  }

  function renderPhotos() {
    var list = $("f-photo-list"), row = $("f-photo-row");
    list.textContent = "";
    photos.forEach(function (photo, i) {
      var item = row.content.firstElementChild.cloneNode(true);
      item.querySelector("img").src = photo.url;
      item.querySelector("[data-photo-file]").textContent = photoName(i);
      item.querySelector("[data-photo-main]").hidden = i !== 0;
      Array.prototype.forEach.call(item.querySelectorAll("[data-photo-alt]"), function (input) {
        var lang = input.getAttribute("data-photo-alt");
        var id = "f-photos-" + i + "-alt-" + lang;
        input.id = id;
        input.value = photo.alt[lang] || "";
        input.setAttribute("data-path", "/photos/" + i + "/alt/" + lang);
        input.setAttribute("aria-describedby", id + "-error");
        input.nextElementSibling.id = id + "-error";
        item.querySelector('[data-photo-label="' + lang + '"]').setAttribute("for", id);
        input.addEventListener("input", function () {
          photo.alt[lang] = input.value;
          touched[input.getAttribute("data-path")] = true;
          update();
        });
        input.addEventListener("blur", function () {
          touched[input.getAttribute("data-path")] = true;
          update();
        });
      });
      var up = item.querySelector("[data-photo-up]");
      up.hidden = i === 0;
      up.addEventListener("click", function () {
        photos.splice(i - 1, 0, photos.splice(i, 1)[0]);
        renderPhotos();
        $("f-photos-" + (i - 1) + "-alt-vi").focus();
      });
      item.querySelector("[data-photo-remove]").addEventListener("click", function () {
        URL.revokeObjectURL(photos[i].url);
        photos.splice(i, 1);
        renderPhotos();
        $("f-photos").focus();
      });
      list.appendChild(item);
    });
    update();
  }

  // -- the folder ----------------------------------------------------------------------

  function download() {
    if (!validate) { whenReady().then(download); return; }
    if (!ready()) return;
    var data = record(), producer = value("producer");
    var folder = "products/" + producer + "/" + data.id + "/";
    var files = [{name: folder + "product.yml",
                  data: new TextEncoder().encode($("f-yaml").textContent)}];
    photos.forEach(function (photo, i) {
      files.push({name: folder + photoName(i), data: photo.bytes});
    });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(zip(files, new Date()));
    link.download = data.id + ".zip";
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () {
      URL.revokeObjectURL(link.href);
      link.remove();
    }, 60000);
  }

  function copy() {
    var text = $("f-yaml").textContent, status = $("f-copy-status");
    function done() { status.textContent = message("copied"); }
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents($("f-yaml"));
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { if (document.execCommand("copy")) done(); } catch (e) { /* selected: Ctrl+C */ }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else fallback();
  }

  // -- wiring --------------------------------------------------------------------------

  /** The criteria sets of the chosen decision (a number means another set in another
   *  decision, so a change of decision clears the choice). */
  function criteriaSets(keep) {
    var select = field("/category/criteria_set"), chosen = keep ? select.value : "";
    var version = value("/category/criteria_version");
    var source = form.querySelector('template[data-criteria="' + version + '"]');
    if (!source) return;
    select.textContent = "";
    select.appendChild(source.content.cloneNode(true));
    select.value = chosen;
    if (select.value !== chosen) select.value = "";
  }

  form.addEventListener("input", function (event) {
    var el = event.target, path = el.getAttribute("data-path");
    if (el === field("/id")) idEdited = el.value.trim() !== "";
    if (el === field("/name/vi") && !idEdited) field("/id").value = slugify(el.value);
    if (path && path.indexOf("/photos/") !== 0) touched[path] = true;
    if (el.hasAttribute("data-sales-point")) touched["/sales_points"] = true;
    if (path !== "/photos") update();
  });
  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el === field("/category/criteria_version")) criteriaSets(false);
    if (el === $("f-photos")) {
      addPhotos(el.files).then(function () { el.value = ""; });
      return;
    }
    if (el.getAttribute("data-path")) touched[el.getAttribute("data-path")] = true;
    update();
  });
  form.addEventListener("focusout", function (event) {
    var path = event.target.getAttribute && event.target.getAttribute("data-path");
    if (path && path !== "/photos" && !touched[path]) {
      touched[path] = true;
      update();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    download();
  });
  $("f-id-from-name").addEventListener("click", function () {
    field("/id").value = slugify(value("/name/vi"));
    idEdited = false;
    touched["/id"] = true;
    update();
  });
  $("f-copy").addEventListener("click", copy);
  var create = $("f-github-new");
  if (create) {
    create.addEventListener("click", function (event) {
      if (!validate) whenReady();
      if (!ready()) event.preventDefault();
    });
  }

  ["focusin", "pointerdown", "keydown"].forEach(function (type) {
    form.addEventListener(type, whenReady);
  });

  criteriaSets(true);
  update();
})();
