// LeakTrace workspace: uploads (drag and drop, streamed as the raw request body) and live job
// progress (polling /api). No framework, no network beyond this server.
"use strict";

function csrf() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function fmt(n) {
  return Number(n).toLocaleString("en-US");
}

function send(url, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = {}; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new Error(body.error || ("HTTP " + xhr.status)));
    };
    xhr.onerror = () => reject(new Error("网络错误，上传未完成"));
    xhr.send(file);
  });
}

function setupUpload() {
  const box = document.getElementById("upload");
  if (!box) return;
  const input = document.getElementById("upload-input");
  const status = document.getElementById("upload-status");
  const bar = document.getElementById("upload-progress");
  const caseId = box.dataset.case;
  async function upload(files) {
    const target = document.getElementById("upload-target").value;
    const unpack = document.getElementById("upload-unpack").checked;
    let failed = false;
    for (const file of files) {
      bar.hidden = false;
      bar.value = 0;
      status.textContent = "正在上传 " + file.name + " …";
      const url = "/api/cases/" + caseId + "/evidence?name=" + encodeURIComponent(file.name) +
        "&target=" + target + "&unpack=" + (unpack ? "true" : "false");
      try {
        const res = await send(url, file, (p) => { bar.value = Math.round(p * 100); });
        status.textContent = "已上传 " + file.name + "（" + fmt(res.size) + " 字节，SHA-256 " +
          res.sha256 + "）" + (res.case_import ? "，已按案件导入" : "") + "，共 " + res.files.length + " 个文件";
      } catch (err) {
        failed = true;
        status.textContent = "上传失败：" + file.name + "：" + err.message;
        status.classList.add("warn");
      }
    }
    bar.hidden = true;
    if (!failed) window.location.reload();
  }
  input.addEventListener("change", () => upload(Array.from(input.files)));
  box.addEventListener("dragover", (e) => { e.preventDefault(); box.classList.add("over"); });
  box.addEventListener("dragleave", () => box.classList.remove("over"));
  box.addEventListener("drop", (e) => {
    e.preventDefault();
    box.classList.remove("over");
    upload(Array.from(e.dataTransfer.files));
  });
}

function setupTransfers() {
  const box = document.querySelector(".upload-transfers");
  if (!box) return;
  const input = document.getElementById("transfers-input");
  const status = document.getElementById("transfers-status");
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    try {
      const res = await send("/api/cases/" + box.dataset.case + "/transfers/import?name=" +
        encodeURIComponent(file.name), file);
      status.textContent = "已导入 " + res.imported + " 笔交易";
      window.location.reload();
    } catch (err) {
      status.textContent = "导入失败：" + err.message;
      status.classList.add("warn");
    }
  });
}

function setupJobs() {
  const table = document.getElementById("job-table");
  if (!table) return;
  const active = () => table.querySelectorAll('tr[data-status="queued"], tr[data-status="running"]');
  if (!active().length) return;
  const caseId = table.dataset.case;
  const timer = setInterval(async () => {
    let res;
    try {
      res = await fetch("/api/cases/" + caseId + "/jobs?limit=50", { credentials: "same-origin" });
    } catch (_) { return; }
    if (!res.ok) return;
    const data = await res.json();
    let finished = false;
    for (const job of data.jobs) {
      const row = table.querySelector('tr[data-job="' + job.id + '"]');
      if (!row) { if (job.status === "queued" || job.status === "running") finished = true; continue; }
      const was = row.dataset.status;
      row.dataset.status = job.status;
      const cell = row.querySelector(".status");
      cell.textContent = job.status_text;
      cell.className = "status status-" + job.status;
      const progress = row.querySelector(".progress");
      if (progress) {
        progress.textContent = job.status === "running"
          ? "已处理 " + fmt(job.rows_done) + " 行 " + (job.label || "")
          : (job.error || (job.rows_done ? fmt(job.rows_done) + " 行" : ""));
      }
      if ((was === "queued" || was === "running") && job.status !== was && job.status !== "running") finished = true;
    }
    if (finished) { clearInterval(timer); window.location.reload(); }
  }, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  setupUpload();
  setupTransfers();
  setupJobs();
});
