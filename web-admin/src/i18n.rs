//! Every word the admin shows, in Russian (default) and English. Report column names are
//! worded here too; a column without a word shows its own name.

use shared_model::Locale;

/// `(key, Russian, English)`.
const WORDS: &[(&str, &str, &str)] = &[
    ("menu", "Меню", "Menu"),
    ("nav_dashboard", "Сводка", "Dashboard"),
    ("nav_catalog", "Каталог", "Catalog"),
    ("nav_stock", "Склад", "Stock"),
    ("nav_promotions", "Акции", "Promotions"),
    ("nav_certificates", "Сертификаты", "Certificates"),
    ("nav_customers", "Покупатели", "Customers"),
    ("nav_people", "Сотрудники", "People"),
    ("nav_locations", "Магазины и склады", "Stores and warehouses"),
    ("nav_devices", "Кассы", "Tills"),
    ("held_receipts", "Чеки на проверке", "Receipts held for review"),
    ("held_explained", "Эти чеки не прошли проверку денег в центральном офисе: они сохранены, но не влияют на остатки, сертификаты и отчёты, пока вы их не примете или не отклоните.", "These receipts failed head office's money checks: they are kept but move no stock, certificate or report until you accept or reject them."),
    ("resolution_note", "Причина решения (в журнал)", "Reason for the decision (for the audit log)"),
    ("problems", "Что не так", "What is wrong"),
    ("amount_claimed", "Сумма", "Amount"),
    ("accept_held", "Принять", "Accept"),
    ("reject_held", "Отклонить", "Reject"),
    ("receipt_number", "Чек №", "Receipt no."),
    ("nav_reports", "Отчёты", "Reports"),
    ("nav_audit", "Журнал", "Audit log"),
    ("role_admin", "администратор", "admin"),
    ("role_manager", "управляющий", "manager"),
    ("role_cashier", "кассир", "cashier"),
    ("role_salesperson", "продавец", "salesperson"),
    ("role_warehouse_worker", "кладовщик", "warehouse worker"),
    ("other_lang", "English", "Русский"),
    ("logout", "Выйти", "Log out"),
    ("sign_in", "Войти", "Sign in"),
    ("login_name", "Логин", "Login"),
    ("password", "Пароль", "Password"),
    ("new_password", "Новый пароль", "New password"),
    ("login_required", "Введите логин и пароль", "Enter your login and password"),
    ("bad_login", "Неверный логин или пароль", "Wrong login or password"),
    ("too_many_logins", "Слишком много попыток, подождите", "Too many attempts; wait a little"),
    ("login_failed", "Не удалось войти", "Could not sign in"),
    ("session_expired", "Сеанс истёк. Войдите снова — введённое на странице сохранится.", "Your session ended. Sign in again; what you typed on the page is kept."),
    ("no_access", "Эта учётная запись работает только на кассе.", "This account works on the till only."),
    ("network_error", "Нет связи с сервером", "The server cannot be reached"),
    ("forbidden", "Недостаточно прав", "Not allowed for your role"),
    ("required", "Обязательное поле", "Required"),
    ("bad_money", "Сумма вида 1234.50", "An amount like 1234.50"),
    ("bad_barcode", "Неверный штрихкод (EAN-13, EAN-8, UPC-A)", "Not a valid barcode (EAN-13, EAN-8, UPC-A)"),
    ("bad_qty", "Неверное количество", "Not a valid quantity"),
    ("bad_date", "Дата вида 2026-01-31", "A date like 2026-01-31"),
    ("bad_pin", "PIN — от 4 до 8 цифр", "A PIN is 4 to 8 digits"),
    ("bad_pin_6", "PIN для этой роли — от 6 до 8 цифр", "A PIN for this role is 6 to 8 digits"),
    ("bad_password", "Пароль — от 10 символов", "A password has at least 10 characters"),
    ("not_found", "Не найдено", "Not found"),
    ("all", "Все", "All"),
    ("search", "Поиск", "Search"),
    ("search_hint", "Название или артикул", "Name or SKU"),
    ("category", "Категория", "Category"),
    ("categories", "Категории", "Categories"),
    ("new_category", "Новая категория", "New category"),
    ("status", "Статус", "Status"),
    ("active", "Активен", "Active"),
    ("inactive", "Отключён", "Inactive"),
    ("new_product", "Новый товар", "New product"),
    ("edit_product", "Товар", "Product"),
    ("sku", "Артикул", "SKU"),
    ("name", "Название", "Name"),
    ("barcodes", "Штрихкоды", "Barcodes"),
    ("price", "Цена", "Price"),
    ("default_price", "Базовая цена, ₽", "Default price"),
    ("cost", "Себестоимость, ₽", "Cost"),
    ("vat", "НДС", "VAT"),
    ("vat22", "НДС 22%", "VAT 22%"),
    ("vat20", "НДС 20% (до 2026 г.)", "VAT 20% (before 2026)"),
    ("vat10", "НДС 10%", "VAT 10%"),
    ("vat7", "НДС 7% (УСН)", "VAT 7% (simplified tax)"),
    ("vat5", "НДС 5% (УСН)", "VAT 5% (simplified tax)"),
    ("vat0", "НДС 0%", "VAT 0%"),
    ("no_vat", "Без НДС", "No VAT"),
    ("unit", "Ед.", "Unit"),
    ("pcs", "шт", "pcs"),
    ("ml", "мл", "ml"),
    ("g", "г", "g"),
    ("edit", "Изменить", "Edit"),
    ("save", "Сохранить", "Save"),
    ("saved", "Сохранено", "Saved"),
    ("close", "Закрыть", "Close"),
    ("add", "Добавить", "Add"),
    ("remove", "Убрать", "Remove"),
    ("done", "Готово", "Done"),
    ("page", "Стр.", "Page"),
    ("items", "шт.", "items"),
    ("no_rows", "Нет данных за период", "Nothing for this period"),
    ("store_prices", "Цены по магазинам", "Prices per store"),
    ("store", "Магазин", "Store"),
    ("warehouse", "Склад", "Warehouse"),
    ("choose_store", "— выберите магазин —", "— choose a store —"),
    ("choose_location", "— выберите место —", "— choose a location —"),
    ("default", "базовая", "default"),
    ("use_default", "Базовая цена", "Use default"),
    ("set_price", "Установить цену", "Set price"),
    ("csv_title", "Импорт и экспорт CSV", "CSV import and export"),
    ("csv_export", "Скачать каталог (CSV)", "Download the catalog (CSV)"),
    ("csv_file", "Файл CSV", "CSV file"),
    ("csv_text", "или вставьте текст CSV", "or paste CSV text"),
    ("preview", "Проверить", "Preview"),
    ("apply", "Применить", "Apply"),
    ("applied", "применено", "applied"),
    ("rows", "Строк", "Rows"),
    ("created", "новых", "new"),
    ("updated", "изменённых", "changed"),
    ("unchanged", "без изменений", "unchanged"),
    ("line", "Строка", "Line"),
    ("column", "Колонка", "Column"),
    ("problem", "Ошибка", "Problem"),
    ("levels", "Остатки", "Levels"),
    ("receive", "Приёмка", "Receive"),
    ("received", "Товар принят", "Goods received"),
    ("transfers", "Перемещения", "Transfers"),
    ("stock_count", "Инвентаризация", "Stock count"),
    ("movements", "Движение", "Movements"),
    ("location", "Место", "Location"),
    ("locations", "Места работы", "Locations"),
    ("on_hand", "Остаток", "On hand"),
    ("document", "Документ", "Document"),
    ("document_hint", "Накладная № …", "Delivery note no."),
    ("code", "Код", "Code"),
    ("code_hint", "Штрихкод или артикул", "Barcode or SKU"),
    ("qty", "Количество", "Quantity"),
    ("quantity", "Количество", "Quantity"),
    ("counted", "Посчитано", "Counted"),
    ("new_transfer", "Новое перемещение", "New transfer"),
    ("from", "Откуда", "From"),
    ("to", "Куда", "To"),
    ("note", "Примечание", "Note"),
    ("ship", "Отправить", "Ship"),
    ("shipped", "Отправлено", "Shipped"),
    ("lines", "Строк", "Lines"),
    ("accept", "Принять", "Receive"),
    ("status_in_transit", "в пути", "in transit"),
    ("status_received", "принято", "received"),
    ("reason", "Причина", "Reason"),
    ("apply_count", "Провести инвентаризацию", "Apply the count"),
    ("product", "Товар", "Product"),
    ("expected", "Ожидалось", "Expected"),
    ("adjustment", "Корректировка", "Adjustment"),
    ("new_promotion", "Новая акция", "New promotion"),
    ("edit_promotion", "Акция", "Promotion"),
    ("kind", "Тип", "Kind"),
    ("priority", "Приоритет", "Priority"),
    ("percent_off", "Скидка в процентах", "Percent off"),
    ("amount_off", "Скидка суммой", "Amount off"),
    ("buy_x_get_y", "N + M", "Buy X get Y"),
    ("bundle", "Комплект по цене", "Bundle price"),
    ("spend_threshold", "Скидка от суммы", "Spend threshold"),
    ("percent", "Процент", "Percent"),
    ("amount_off_value", "Сумма скидки, ₽", "Amount off"),
    ("bundle_price", "Цена комплекта, ₽", "Bundle price"),
    ("bundle_qty", "Товаров в комплекте", "Pieces in a bundle"),
    ("buy", "Купить", "Buy"),
    ("get", "Со скидкой", "Get"),
    ("threshold", "От суммы, ₽", "Spend at least"),
    ("target", "На что", "Applies to"),
    ("target_all", "Все товары", "All goods"),
    ("target_products", "Выбранные товары", "Chosen products"),
    ("target_categories", "Выбранные категории", "Chosen categories"),
    ("conditions", "Условия", "Conditions"),
    ("from_date", "С", "From"),
    ("to_date", "По", "To"),
    ("until", "До", "Until"),
    ("hour_from", "С часа", "From hour"),
    ("hour_to", "До часа", "To hour"),
    ("min_qty", "Мин. количество", "Minimum quantity"),
    ("min_amount", "Мин. сумма, ₽", "Minimum amount"),
    ("coupon", "Купон", "Coupon"),
    ("customer_groups", "Группы покупателей", "Customer groups"),
    ("usage_limit", "Лимит применений", "Usage limit"),
    ("weekdays", "Дни недели (пусто — все)", "Weekdays (none: every day)"),
    ("stores_all_if_none", "Магазины (пусто — все)", "Stores (none: all)"),
    ("exclusive", "Не суммируется с другими", "Exclusive"),
    ("preview_title", "Проверка на примере чека", "Preview on a sample cart"),
    ("preview_fix_form", "Заполните акцию без ошибок — здесь появится расчёт.", "Fill in the promotion without errors to see it priced."),
    ("preview_add_goods", "Добавьте товары в пример чека.", "Add goods to the sample cart."),
    ("gross", "Без скидки", "Gross"),
    ("discount", "Скидка", "Discount"),
    ("to_pay", "К оплате", "To pay"),
    ("total", "Итого", "Total"),
    ("mon", "пн", "Mon"),
    ("tue", "вт", "Tue"),
    ("wed", "ср", "Wed"),
    ("thu", "чт", "Thu"),
    ("fri", "пт", "Fri"),
    ("sat", "сб", "Sat"),
    ("sun", "вс", "Sun"),
    ("new_batch", "Выпуск сертификатов", "Issue certificates"),
    ("nominal", "Номинал, ₽", "Face value"),
    ("expires", "Действует до", "Valid until"),
    ("issue", "Выпустить", "Issue"),
    ("lookup", "Найти сертификат", "Find a certificate"),
    ("cert_code", "Код сертификата", "Certificate code"),
    ("find", "Найти", "Find"),
    ("balance", "Остаток", "Balance"),
    ("history", "История", "History"),
    ("block", "Заблокировать", "Block"),
    ("unblock", "Разблокировать", "Unblock"),
    ("phone", "Телефон", "Phone"),
    ("card_no", "Карта", "Card"),
    ("group", "Группа", "Group"),
    ("new_user", "Новый сотрудник", "New user"),
    ("edit_user", "Сотрудник", "User"),
    ("full_name", "ФИО", "Full name"),
    ("role", "Роль", "Role"),
    ("pin", "PIN кассы", "Till PIN"),
    ("discount_limit", "Лимит скидки, %", "Discount limit, %"),
    ("new_location", "Новое место", "New location"),
    ("address", "Адрес", "Address"),
    ("timezone", "Часовой пояс", "Time zone"),
    ("vatin", "ИНН (для чеков)", "Tax id (for receipts)"),
    ("bad_vatin", "ИНН: 12 цифр с верными контрольными", "Tax id: 12 digits with valid check digits"),
    ("fiscal_mode", "Чеки", "Receipts"),
    ("fiscal_register", "Фискальные (ККТ)", "Fiscal (register)"),
    ("fiscal_none", "Без ККТ (нефискальные)", "Without a register (non-fiscal)"),
    ("make_fiscal", "Включить ККТ", "Require a register"),
    ("make_non_fiscal", "Разрешить без ККТ", "Allow without a register"),
    ("taxation", "Система налогообложения", "Taxation system"),
    ("tax_osn", "ОСН", "General (OSN)"),
    ("tax_usn_income", "УСН доходы", "Simplified, income"),
    ("tax_usn_income_outcome", "УСН доходы − расходы", "Simplified, income less expenses"),
    ("tax_patent", "Патент", "Patent"),
    ("tax_esn", "ЕСХН", "Agricultural (ESN)"),
    ("till_name", "Касса", "Till"),
    ("till_hint", "Касса 1", "Till 1"),
    ("add_till", "Добавить кассу", "Add a till"),
    ("enrollment_code", "Код подключения", "Enrollment code"),
    ("code_once", "Код показывается один раз и действует ограниченное время. Введите его при установке кассы.", "The code is shown once and expires. Enter it when installing the till."),
    ("new_code", "Новый код", "New code"),
    ("disable", "Отключить", "Disable"),
    ("status_active", "работает", "active"),
    ("status_pending", "ждёт подключения", "waiting to enroll"),
    ("status_disabled", "отключена", "disabled"),
    ("last_push", "Последняя отправка", "Last push"),
    ("last_pull", "Последнее обновление", "Last pull"),
    ("events_waiting", "Ждут отправки", "Waiting to send"),
    ("report", "Отчёт", "Report"),
    ("export_csv", "Скачать CSV", "Export CSV"),
    ("chart", "Диаграмма", "Chart"),
    ("r_sales_summary", "Продажи по дням", "Sales by day"),
    ("r_by_store", "Продажи по магазинам", "Sales by store"),
    ("r_by_product", "Продажи по товарам", "Sales by product"),
    ("r_by_category", "Продажи по категориям", "Sales by category"),
    ("r_by_cashier", "Продажи по кассирам", "Sales by cashier"),
    ("r_by_terminal", "Продажи по кассам", "Sales by till"),
    ("r_by_hour", "Продажи по часам", "Sales by hour"),
    ("r_payments", "Оплаты", "Payments"),
    ("r_vat", "НДС", "VAT"),
    ("r_cash", "Сверка наличных", "Cash reconciliation"),
    ("r_discounts", "Скидки", "Discounts"),
    ("r_returns", "Возвраты", "Returns"),
    ("r_certificates", "Сертификаты", "Certificates"),
    ("r_sync_health", "Связь с кассами", "Till sync health"),
    ("r_fiscal_receipts", "Фискальные чеки продаж", "Sales' fiscal receipts"),
    ("r_registers", "ККТ по состоянию", "Fiscal registers by health"),
    ("marking_group", "Маркировка (Честный ЗНАК)", "Marking (Chestny ZNAK)"),
    ("not_marked", "Не маркируется", "Not marked"),
    ("marking_groups", "Маркировка: товарные группы", "Marking: product groups"),
    ("code_from", "Продажа по кодам с", "Sold by code from"),
    ("permit_from", "Проверка перед продажей с", "Checked before sale from"),
    ("no_answer_rule", "Если проверка не ответила", "When no check answers"),
    ("no_answer_sell", "Продать и сообщить в офис", "Sell and tell head office"),
    ("no_answer_block", "Не продавать", "Do not sell"),
    ("r_marked_units", "Маркированные товары (Честный ЗНАК)", "Marked goods (Chestny ZNAK)"),
    ("registers_attention", "ККТ требуют внимания", "Registers needing attention"),
    (
        "unchecked_marks_week",
        "Маркированные без проверки за неделю",
        "Marked goods sold unchecked this week",
    ),
    ("unfiscalised_week", "Продажи без фискального чека", "Sales without a fiscal receipt"),
    ("r_stock_levels", "Остатки и стоимость", "Stock levels and value"),
    ("r_stock_low", "Заканчивается", "Low stock"),
    ("r_stock_movements", "Движение товара", "Stock movements"),
    ("today_live", "Сегодня (обновляется сразу)", "Today (live)"),
    ("week_trend", "Неделя", "This week"),
    ("top_products", "Лучшие товары недели", "Top products this week"),
    ("tills_unseen", "Кассы без связи больше суток", "Tills unseen for a day"),
    ("low_stock", "Заканчивается", "Low stock"),
    ("certificates_attention", "Сертификаты за неделю", "Certificates this week"),
    ("entity", "Объект", "Entity"),
    ("entity_id", "Id объекта", "Entity id"),
    ("when", "Когда", "When"),
    ("user", "Кто", "User"),
    ("action", "Действие", "Action"),
];

/// Report columns: `(column, Russian, English)`.
const COLUMNS: &[(&str, &str, &str)] = &[
    ("store", "Магазин", "Store"),
    ("total", "Сумма", "Total"),
    ("completed_at", "Время", "Time"),
    ("fiscal", "Фискальный чек", "Fiscal receipt"),
    ("fd_number", "ФД №", "FD no."),
    ("sold_at", "Продан", "Sold"),
    ("product", "Товар", "Product"),
    ("code", "Код маркировки", "Marking code"),
    ("check", "Проверка", "Check"),
    ("checked_by", "Кем проверен", "Checked by"),
    ("check_request", "Запрос проверки", "Check request"),
    ("state", "Состояние", "State"),
    ("returned_at", "Возвращён", "Returned"),
    ("returned_in", "Где возвращён", "Returned at"),
    ("fiscal_sign", "ФП", "Fiscal sign"),
    ("fn_serial", "ФН", "Fiscal storage"),
    ("reported_at", "Данные от", "Reported"),
    ("health", "Состояние", "Health"),
    ("problems", "Что не так", "Problems"),
    ("fn_days_left", "Дней до конца ФН", "FN days left"),
    ("unsent", "Не отправлено в ОФД", "Unsent to OFD"),
    ("ofd_days", "Дней без ОФД", "Days without OFD"),
    (
        "shift_hours_left",
        "Часов до конца смены ККТ",
        "Shift hours left",
    ),
    ("pending", "Чеков ждут ККТ", "Receipts waiting"),
    ("deferred", "Чеков ждут коррекции", "Corrections due"),
    ("error", "Ошибка", "Error"),
    ("name", "Название", "Name"),
    ("day", "День", "Day"),
    ("period", "Период", "Period"),
    ("receipts", "Чеков", "Receipts"),
    ("items", "Позиций", "Items"),
    ("gross", "Без скидок", "Gross"),
    ("discount", "Скидки", "Discounts"),
    ("sales", "Продажи", "Sales"),
    ("returns", "Возвратов", "Returns"),
    ("returned", "Возвращено", "Returned"),
    ("net", "Итого", "Net"),
    ("average_receipt", "Средний чек", "Average receipt"),
    ("cost", "Себестоимость", "Cost"),
    ("margin", "Маржа", "Margin"),
    ("qty", "Количество", "Quantity"),
    ("sku", "Артикул", "SKU"),
    ("terminal", "Касса", "Till"),
    ("status", "Статус", "Status"),
    ("amount", "Сумма", "Amount"),
    ("tender", "Оплата", "Tender"),
    ("payments", "Платежей", "Payments"),
    ("refunds", "Возвраты", "Refunds"),
    ("value", "Стоимость", "Value"),
    ("min_qty", "Минимум", "Minimum"),
    ("short", "Не хватает", "Short"),
    ("last_push_at", "Отправка", "Last push"),
    ("last_pull_at", "Обновление", "Last pull"),
    ("hours_unseen", "Часов без связи", "Hours unseen"),
    ("events_waiting", "Ждут отправки", "Waiting"),
    ("chain_alerts", "Нарушения цепочки", "Chain alerts"),
    ("certificates", "Сертификатов", "Certificates"),
    ("overdraw", "Перерасход", "Overdraw"),
    ("what", "Что", "What"),
    ("lines", "Строк", "Lines"),
    ("kind", "Вид", "Kind"),
    ("reason", "Причина", "Reason"),
    ("receipt_no", "Чек №", "Receipt no."),
    ("opening", "На начало", "Opening"),
    ("received", "Приход", "Received"),
    ("transferred_in", "Перемещено к нам", "Transferred in"),
    ("transferred_out", "Перемещено от нас", "Transferred out"),
    ("sold", "Продано", "Sold"),
    ("adjusted", "Корректировки", "Adjusted"),
    ("closing", "На конец", "Closing"),
    ("unit_cost", "Себестоимость ед.", "Unit cost"),
    ("sales_vat", "НДС с продаж", "VAT on sales"),
    ("returned_vat", "НДС с возвратов", "VAT on returns"),
    ("shift_no", "Смена №", "Shift no."),
    ("expected", "Ожидалось", "Expected"),
    ("counted", "Посчитано", "Counted"),
    ("difference", "Расхождение", "Difference"),
    ("float", "Размен", "Float"),
    (
        "certificates_sold",
        "Продано сертификатов",
        "Certificates sold",
    ),
    ("expected_cash", "Должно быть наличных", "Expected cash"),
    ("counted_cash", "Посчитано наличных", "Counted cash"),
    ("net_vat", "НДС итого", "Net VAT"),
    ("vat", "НДС", "VAT"),
];

/// Codes reports put in their text cells: `(code, Russian, English)`.
const VALUES: &[(&str, &str, &str)] = &[
    ("ok", "в порядке", "ok"),
    ("permitted", "разрешён", "permitted"),
    ("not_required", "не требуется", "not required"),
    ("unchecked", "без проверки", "unchecked"),
    ("online", "онлайн", "online"),
    ("local", "локальный модуль", "local module"),
    ("sold", "продан", "sold"),
    ("returned", "возвращён", "returned"),
    ("warning", "внимание", "warning"),
    ("blocked", "продажи остановлены", "sales stopped"),
    ("no_answer", "не отвечает", "no answer"),
    ("outage", "неисправна", "out of order"),
    ("signed", "пробит", "signed"),
    ("correction", "чек коррекции", "correction"),
    ("missing", "нет чека", "missing"),
    ("not_required", "не нужен (без ККТ)", "not required"),
    ("paper_out", "нет бумаги", "paper out"),
    ("cover_open", "открыта крышка", "cover open"),
    ("shift_expired", "смена больше 24 ч", "shift over 24 h"),
    (
        "declared_out_of_order",
        "объявлена неисправной",
        "declared out of order",
    ),
    ("blocked:not_ready", "не может печатать", "cannot print"),
    ("blocked:z_required", "нужен Z-отчёт", "Z report required"),
    ("blocked:ofd_lock", "скоро блокировка ОФД", "OFD lock near"),
    ("blocked:fn_expired", "ФН истёк", "FN expired"),
    ("pending_receipts", "чеков ждут", "receipts waiting"),
    ("z_due", "Z-отчёт через", "Z due in"),
    (
        "ofd_backlog",
        "не в ОФД (шт./дней)",
        "unsent to OFD (docs/days)",
    ),
    ("fn_expiring", "ФН истекает через", "FN expires in"),
    ("activate", "продано", "sold"),
    ("redeem", "погашено", "redeemed"),
    ("refund", "возвращено на сертификат", "refunded"),
    ("outstanding", "не погашено сейчас", "outstanding now"),
    ("cash", "наличные", "cash"),
    ("card", "карта", "card"),
    ("certificate", "сертификат", "certificate"),
    ("active", "работает", "active"),
    ("pending", "ждёт подключения", "waiting to enroll"),
    ("disabled", "отключена", "disabled"),
    ("sale_completed", "продажа", "sale"),
    ("return_completed", "возврат", "return"),
    ("no_lines", "нет строк", "no lines"),
    (
        "quantity_out_of_bounds",
        "невозможное количество",
        "impossible quantity",
    ),
    (
        "amount_out_of_bounds",
        "невозможная сумма",
        "impossible amount",
    ),
    (
        "line_does_not_add_up",
        "строка не сходится",
        "a line does not add up",
    ),
    (
        "totals_do_not_add_up",
        "итоги не сходятся",
        "totals do not add up",
    ),
    (
        "non_positive_tender",
        "оплата не больше нуля",
        "a payment of zero or less",
    ),
    (
        "non_cash_overpays",
        "безнал больше суммы",
        "non-cash over the amount due",
    ),
    (
        "change_exceeds_cash",
        "сдача больше наличных",
        "change over the cash given",
    ),
    (
        "certificate_code_missing",
        "нет кода сертификата",
        "certificate code missing",
    ),
    (
        "certificate_not_at_face_value",
        "сертификат не по номиналу",
        "certificate not at face value",
    ),
    ("currency_mismatch", "другая валюта", "another currency"),
    ("overflow", "переполнение суммы", "amount overflow"),
    (
        "hash_mismatch",
        "чек изменён после пробития",
        "edited after it was made",
    ),
    (
        "chain_break",
        "разрыв цепочки чеков",
        "receipt chain broken",
    ),
    (
        "unknown_sale",
        "продажа не найдена",
        "its sale is not on record",
    ),
    (
        "return_exceeds_sold",
        "возврат больше продажи",
        "returns more than was sold",
    ),
    (
        "certificate_refund_exceeds_paid",
        "на сертификат больше, чем им оплачено",
        "more onto a certificate than it paid",
    ),
];

/// A report's text cell in the language (codes worded, anything else as it is).
pub fn value(lang: Locale, v: String) -> String {
    VALUES
        .iter()
        .find(|(k, _, _)| *k == v)
        .map(|(_, ru, en)| if lang == Locale::En { *en } else { *ru }.to_owned())
        .unwrap_or(v)
}

/// A register's problems (`paper_out, pending_receipts:2`) worded, numbers kept.
pub fn problems(lang: Locale, v: &str) -> String {
    v.split(", ")
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once(':') {
            Some((code, n)) if !code.starts_with("blocked") => {
                format!("{} {n}", value(lang, code.to_owned()))
            }
            _ => value(lang, p.to_owned()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Weekday keys, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A word in a language; an unknown key shows itself (and fails the unit test).
pub fn tr(lang: Locale, key: &'static str) -> &'static str {
    WORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, ru, en)| if lang == Locale::En { *en } else { *ru })
        .unwrap_or(key)
}

/// A report column's heading.
pub fn column(lang: Locale, col: &str) -> String {
    COLUMNS
        .iter()
        .find(|(k, _, _)| *k == col)
        .map(|(_, ru, en)| if lang == Locale::En { *en } else { *ru }.to_owned())
        .unwrap_or_else(|| col.replace('_', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t("key")` / `tr(_, "key")` in the sources has both words.
    #[test]
    fn every_key_used_is_worded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut missing = Vec::new();
        let mut files = vec![std::path::PathBuf::from(dir)];
        while let Some(p) = files.pop() {
            if p.is_dir() {
                files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let src = std::fs::read_to_string(&p).unwrap();
            for (i, _) in src.match_indices("t(\"") {
                // ctx.t(KEY), t(KEY) and tr(lang, KEY) with a literal KEY; not x.get(FIELD).
                let before = src[..i].chars().last().unwrap_or(' ');
                if !matches!(before, '.' | ' ' | '{' | '(') {
                    continue;
                }
                let key = src[i + 3..].split('"').next().unwrap_or_default();
                if !WORDS.iter().any(|(k, _, _)| *k == key) {
                    missing.push(key.to_owned());
                }
            }
            for (i, _) in src.match_indices("lang, \"") {
                let key = src[i + 7..].split('"').next().unwrap_or_default();
                if !WORDS.iter().any(|(k, _, _)| *k == key) {
                    missing.push(key.to_owned());
                }
            }
        }
        for k in shared_model::VatRate::ALL
            .map(|r| r.code())
            .into_iter()
            .chain([
                "pcs",
                "ml",
                "g",
                "target_all",
                "target_products",
                "target_categories",
            ])
        {
            if !WORDS.iter().any(|(w, _, _)| *w == k) {
                missing.push(k.to_owned());
            }
        }
        missing.extend(
            WEEKDAYS
                .iter()
                .filter(|k| !WORDS.iter().any(|(w, _, _)| w == *k))
                .map(|k| (*k).to_owned()),
        );
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "keys without words: {missing:?}");
    }

    #[test]
    fn no_key_is_worded_twice() {
        let mut keys: Vec<&str> = WORDS.iter().map(|(k, _, _)| *k).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len());
    }
}
